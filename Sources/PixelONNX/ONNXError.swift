/// Errors raised while loading or running an ONNX model; each names the file, node or value at fault.
public enum ONNXError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The protobuf bytes are malformed or truncated (`offset` is the byte offset in the file).
    case malformed(path: String, offset: Int, reason: String)
    /// The model uses an operator (or an operator version) the interpreter does not implement.
    case unsupportedOperator(node: String, op: String, domain: String, version: Int)
    /// An attribute is missing, has the wrong type, or holds an unsupported value.
    case invalidAttribute(node: String, op: String, attribute: String, reason: String)
    /// A node received inputs it cannot work with (shapes, element types, counts).
    case invalidNode(node: String, op: String, reason: String)
    /// The graph is not well formed (cycles, undefined values, duplicate names).
    case invalidGraph(reason: String)
    /// A value given to ``ONNXModel/run(_:)`` is missing or does not match the declared input.
    case invalidInput(name: String, reason: String)
    /// A tensor uses an element type the interpreter does not support.
    case unsupportedType(name: String, type: Int)
    /// A `.npy` file is malformed or uses an unsupported layout.
    case npy(path: String, reason: String)
    /// An error of a node, value or graph of the model file at `path` (loaded with ``ONNXModel/init(contentsOf:options:)``).
    indirect case inModel(path: String, error: ONNXError)

    /// `error` attributed to the model file at `path`, unless it already names a file.
    static func attributed(_ error: Error, to path: String) -> Error {
        guard let e = error as? ONNXError else { return error }
        switch e {
        case .io, .malformed, .npy, .inModel: return e
        default: return ONNXError.inModel(path: path, error: e)
        }
    }

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .malformed(path, offset, reason): return "\(path): malformed ONNX at byte \(offset): \(reason)"
        case let .unsupportedOperator(node, op, domain, version):
            let d = domain.isEmpty ? "ai.onnx" : domain
            return "node '\(node)': operator \(d)::\(op) (opset \(version)) is not supported"
        case let .invalidAttribute(node, op, attribute, reason):
            return "node '\(node)' (\(op)): attribute '\(attribute)': \(reason)"
        case let .invalidNode(node, op, reason): return "node '\(node)' (\(op)): \(reason)"
        case let .invalidGraph(reason): return "invalid graph: \(reason)"
        case let .invalidInput(name, reason): return "input '\(name)': \(reason)"
        case let .unsupportedType(name, type): return "tensor '\(name)': unsupported element type \(type)"
        case let .npy(path, reason): return "\(path): \(reason)"
        case let .inModel(path, error): return "\(path): \(error.description)"
        }
    }
}
