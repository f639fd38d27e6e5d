/// The node tests run for the implemented operators (filled from a discovery run; see ConformanceTests).
enum ConformanceAllowList {
    static let byOperator: [String: [String]] = [:]
    static var cases: [String] { byOperator.values.flatMap { $0 }.sorted() }
}
