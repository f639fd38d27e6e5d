/// Errors of PixelNN (loading parameters from a checkpoint).
public enum NNError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The checkpoint has no value for a parameter.
    case missingParameter(name: String)
    /// The checkpoint's value has the wrong shape.
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missingParameter(name): return "parameter '\(name)' is missing from the checkpoint"
        case let .shapeMismatch(name, expected, found):
            return "parameter '\(name)' has shape \(found) in the checkpoint, the model expects \(expected)"
        }
    }
}
