/// Why a tokenizer, preprocessor, encoder or feature store could not do its work.
///
/// Every case names the file or key involved so the CLI can print one line.
public enum EncoderError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A required file is absent (`what` says which role it plays: "tokenizer", "ONNX model").
    case missingFile(path: String, what: String)
    /// A file exists but its content is malformed; `reason` says where.
    case malformedFile(path: String, reason: String)
    /// No encoder of this name is registered; `known` lists those that are.
    case unknownEncoder(name: String, known: [String])
    /// The encoder cannot embed this modality (a text encoder asked for images).
    case unsupportedModality(encoder: String, modality: String)
    /// The model's inputs or outputs do not match what the encoder entry expects.
    case modelMismatch(path: String, reason: String)
    /// An argument is out of range.
    case invalidArgument(String)
    /// A feature store is unreadable (bad magic, truncated); it is rebuilt by `encode`.
    case invalidStore(path: String, reason: String)
    /// A feature store whose header `field` (`item count`, `rows offset`, …) breaks the format; printed
    /// `<path>: <field>: <reason>`. Rebuilt by `encode` like ``invalidStore(path:reason:)``.
    case corruptStore(path: String, field: String, reason: String)
    /// A graph that the trainable-top importer cannot map onto autograd layers: `node` is where the
    /// expected pattern (`pattern`) broke.
    case unsupportedGraph(path: String, node: String, pattern: String)

    public var description: String {
        switch self {
        case let .missingFile(path, what): return "\(path): \(what) not found"
        case let .malformedFile(path, reason): return "\(path): \(reason)"
        case let .unknownEncoder(name, known):
            return "unknown encoder '\(name)'; registered: \(known.joined(separator: ", "))"
        case let .unsupportedModality(encoder, modality): return "encoder '\(encoder)' cannot embed \(modality)"
        case let .modelMismatch(path, reason): return "\(path): \(reason)"
        case let .invalidArgument(what): return what
        case let .invalidStore(path, reason): return "\(path): invalid feature store: \(reason)"
        case let .corruptStore(path, field, reason): return "\(path): \(field): \(reason)"
        case let .unsupportedGraph(path, node, pattern): return "\(path): node '\(node)': \(pattern)"
        }
    }
}
