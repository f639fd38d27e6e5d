import Foundation

/// The graph of an ONNX model as the interpreter prepares it before fusion: nodes in topological order
/// after constant folding, and every constant (initializers and folded values) by name.
///
/// For importers that map subgraphs onto another engine (the trainable encoder tops map transformer
/// blocks onto the autograd layers); ``ONNXModel`` runs the same graph.
public struct ONNXGraph: Sendable {
    /// An attribute value (tensor and graph attributes are not exposed).
    public enum Attribute: Sendable, Equatable {
        case int(Int64)
        case float(Float)
        case ints([Int64])
        case floats([Float])
        case string(String)
        case other
    }

    /// One node: its op, value names (`""` for an omitted optional input) and attributes.
    public struct Node: Sendable {
        public let name: String
        public let opType: String
        /// `""` for the default (ai.onnx) domain.
        public let domain: String
        public let inputs: [String]
        public let outputs: [String]
        public let attributes: [String: Attribute]
    }

    public let path: String
    public let nodes: [Node]
    /// Initializers and constant-folded values by name.
    public let constants: [String: ONNXValue]
    /// Graph inputs to feed (initializer-backed inputs excluded).
    public let inputs: [String]
    public let outputs: [String]
    /// Opset of the default domain.
    public let opsetVersion: Int

    /// Loads the graph of the model at `path` (the same parsing, validation and folding as ``ONNXModel``).
    /// - Throws: ``ONNXError`` naming the file.
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path)
        do {
            var reader = ProtoReader(base: file.base, start: 0, end: file.count, path: file.path)
            let model = try ONNXProto.model(&reader)
            var opsets: [String: Int] = [:]
            for o in model.opsets { opsets[o.domain == "ai.onnx" ? "" : o.domain] = o.version }
            if model.opsets.isEmpty { opsets[""] = 1 }
            let prepared = try GraphPreparation(
                model: model, file: file, directory: (path as NSString).deletingLastPathComponent, opsets: opsets,
                settings: ExecutionSettings(), options: ONNXModel.Options(fuse: false))
            self.path = path
            opsetVersion = opsets[""] ?? 0
            constants = prepared.constants
            inputs = prepared.inputs.map(\.name)
            outputs = prepared.outputs.map(\.name)
            nodes = prepared.foldedNodes.map { n in
                var attributes: [String: Attribute] = [:]
                for (name, value) in n.context?.attributes ?? [:] {
                    switch value {
                    case .int(let v): attributes[name] = .int(v)
                    case .float(let v): attributes[name] = .float(v)
                    case .ints(let v): attributes[name] = .ints(v)
                    case .floats(let v): attributes[name] = .floats(v)
                    case .string(let v): attributes[name] = .string(String(decoding: v, as: UTF8.self))
                    default: attributes[name] = .other
                    }
                }
                return Node(
                    name: n.name, opType: n.opType, domain: n.domain, inputs: n.inputs, outputs: n.outputs,
                    attributes: attributes)
            }
        } catch {
            throw ONNXError.attributed(error, to: path)
        }
    }
}
