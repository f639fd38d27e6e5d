import Testing

@testable import PixelEval

@Suite("Blended scorer: per-user z-scores, weighted sum (hand computation)")
struct BlendedScorerTests {
    static func scores(_ scorer: any Scorer, users: [Int32]) -> [Float] {
        var out = [Float](repeating: .nan, count: users.count * scorer.itemCount)
        users.withUnsafeBufferPointer { u in out.withUnsafeMutableBufferPointer { scorer.score(users: u, into: $0) } }
        return out
    }

    @Test("z(a) + w·z(b) per row, population sd, computed by hand (1e-6)")
    func blend() throws {
        // Row 0: a = [1, 2, 3, 6] (mean 3, sd √3.5), b = [10, 10, 20, 0] (mean 10, sd √50).
        // Row 1: a constant (sd 0 → z = 0), b = [0, 1, 0, 1] (mean .5, sd .5).
        let a = TableScorer(table: [1, 2, 3, 6, 4, 4, 4, 4], itemCount: 4)
        let b = TableScorer(table: [10, 10, 20, 0, 0, 1, 0, 1], itemCount: 4)
        let blended = try BlendedScorer(primary: a, secondary: b, weight: 0.5)
        let got = Self.scores(blended, users: [0, 1])
        let sa = Float(3.5).squareRoot(), sb = Float(50).squareRoot()
        let expected: [Float] = [
            -2 / sa + 0.5 * 0 / sb, -1 / sa + 0, 0 / sa + 0.5 * 10 / sb, 3 / sa + 0.5 * -10 / sb,
            0 + 0.5 * -1, 0 + 0.5 * 1, 0 + 0.5 * -1, 0 + 0.5 * 1,
        ]
        for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-6, "\(got) vs \(expected)") }
    }

    @Test("weight 0 is the primary's ranking; excluded (−∞) entries are kept and left out of the moments")
    func zeroWeightAndExcluded() throws {
        let a = TableScorer(table: [3, -.infinity, 1, 2], itemCount: 4)
        let b = TableScorer(table: [0, 100, 5, 1], itemCount: 4)
        let off = Self.scores(try BlendedScorer(primary: a, secondary: b, weight: 0), users: [0])
        #expect(off == [3, -.infinity, 1, 2])
        let on = Self.scores(try BlendedScorer(primary: a, secondary: b, weight: 1), users: [0])
        #expect(on[1] == -.infinity)
        // a over {3, 1, 2}: mean 2, sd √(2/3); b over every finite entry {0, 100, 5, 1}: mean 26.5.
        let sa = Float(2.0 / 3.0).squareRoot()
        let mb: Float = 26.5
        let sb = Float((0 * 0 + 100 * 100 + 25 + 1) / 4.0 - Double(mb * mb)).squareRoot()
        #expect(abs(on[0] - (1 / sa + (0 - mb) / sb)) <= 1e-5)
        #expect(abs(on[2] - (-1 / sa + (5 - mb) / sb)) <= 1e-5)
    }

    @Test("mismatched catalogs and negative weights are refused")
    func refused() {
        let a = TableScorer(table: [1, 2], itemCount: 2), b = TableScorer(table: [1, 2, 3], itemCount: 3)
        #expect(throws: EvalError.self) { try BlendedScorer(primary: a, secondary: b, weight: 1) }
        #expect(throws: EvalError.self) { try BlendedScorer(primary: a, secondary: a, weight: -1) }
    }
}
