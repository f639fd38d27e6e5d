/// Errors of PixelOptim (restoring optimizer state).
public enum OptimError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A state entry has the wrong number of values for its parameter.
    case stateSizeMismatch(key: String, expected: Int, found: Int)
    /// A state entry names no parameter of this optimizer.
    case unknownStateKey(String)

    public var description: String {
        switch self {
        case let .stateSizeMismatch(key, expected, found):
            return "optimizer state '\(key)' has \(found) values, expected \(expected)"
        case let .unknownStateKey(key): return "optimizer state '\(key)' matches no parameter"
        }
    }
}
