import PixelCore

/// Errors of the evaluation layer; each names what is wrong and where.
public enum EvalError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An option or setting has a value evaluation cannot use.
    case invalidOption(name: String, reason: String)
    /// The data leaves nothing to evaluate (e.g. no test user has a relevant item).
    case nothingToEvaluate(task: String, reason: String)
    /// A scorer's shape disagrees with the evaluation (`what` names the mismatch).
    case shapeMismatch(what: String, expected: Int, found: Int)
    /// The recommender is not available in this build (e.g. the multimodal model before it registers).
    case unavailableRecommender(name: String, reason: String)
    /// A results file cannot be read as pixelrec evaluation JSON.
    case invalidResults(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .nothingToEvaluate(task, reason): return "task \(task): nothing to evaluate: \(reason)"
        case let .shapeMismatch(what, expected, found): return "\(what): expected \(expected), found \(found)"
        case let .unavailableRecommender(name, reason): return "recommender '\(name)': \(reason)"
        case let .invalidResults(path, reason): return "\(path): \(reason)"
        }
    }
}
