import Foundation
import PixelTensor

/// An ONNX model loaded for inference by pixelrec's own graph interpreter.
///
/// ```swift
/// let model = try ONNXModel(contentsOf: "minilm.onnx")
/// model.threads = 2
/// let out = try model.run(["input_ids": ids, "attention_mask": mask, "token_type_ids": types])
/// let hidden = out["last_hidden_state"]   // float32 [batch, sequence, 384]
/// ```
///
/// Loading memory-maps the file (initializers are borrowed, not copied), resolves every node against
/// the opset-aware operator registry (validating attributes), sorts the graph topologically, folds
/// constant subgraphs and fuses MatMul+Add and Erf-GELU patterns. The first run for a new set of
/// input shapes also folds the shape subgraphs (Shape→Gather→Concat→Reshape chains) into constants
/// for later runs with the same shapes.
public final class ONNXModel: @unchecked Sendable {
    /// One dimension of a declared input or output.
    public enum Dimension: Sendable, Equatable, CustomStringConvertible {
        case fixed(Int)
        case symbolic(String)
        case unknown

        public var description: String {
            switch self {
            case .fixed(let n): return "\(n)"
            case .symbolic(let s): return s
            case .unknown: return "?"
            }
        }
    }

    /// A declared graph input or output.
    public struct ValueDescription: Sendable {
        public let name: String
        /// ONNX `TensorProto.DataType` code (1 float, 7 int64, 9 bool, ...).
        public let elementTypeCode: Int
        /// The element type when the interpreter supports it.
        public var elementType: ONNXElementType? { ONNXElementType(rawValue: elementTypeCode) }
        /// Declared dimensions, or nil when the model gives no shape.
        public let shape: [Dimension]?

        public var typeDescription: String {
            let t = elementType?.description ?? "type\(elementTypeCode)"
            guard let shape else { return t }
            return "\(t)[\(shape.map(\.description).joined(separator: ", "))]"
        }
    }

    /// Graph preparation switches (all on by default; off only to verify the optimizations).
    public struct Options: Sendable {
        /// Fuse MatMul+Add into one sgemm with bias and the Erf-GELU subgraph into one kernel.
        public var fuse: Bool
        /// Fold shape-only subgraphs per input-shape signature.
        public var foldShapes: Bool
        /// With `fuse`, also fuse scaled dot-product attention (MatMul → scale → +mask → Softmax → MatMul).
        public var fuseAttention: Bool
        /// With `fuse` and `foldShapes`, run depthwise and 1×1 convolution chains in the channel-blocked
        /// layout (``BlockedConv``), residual `Add`s folded into the 1×1 convolutions.
        public var blockChannels: Bool

        public init(fuse: Bool = true, foldShapes: Bool = true, fuseAttention: Bool = true, blockChannels: Bool = true)
        {
            self.fuse = fuse
            self.foldShapes = foldShapes
            self.fuseAttention = fuseAttention
            self.blockChannels = blockChannels
        }
    }

    /// Path the model was loaded from.
    public let path: String
    /// Graph inputs to feed (initializer-backed inputs are excluded).
    public let inputs: [ValueDescription]
    /// Graph outputs.
    public let outputs: [ValueDescription]
    /// Opset of the default domain.
    public let opsetVersion: Int
    /// Every imported opset, `domain` ("" is ai.onnx) to version.
    public let opsets: [String: Int]
    public let irVersion: Int
    public let producer: String
    /// Node counts per op type in the file as stored (before folding and fusion).
    public let operatorCounts: [String: Int]
    /// Number of scalars in all initializers.
    public let parameterCount: Int
    /// Number of nodes after constant folding and fusion.
    public var preparedNodeCount: Int { generalPlan.steps.count }
    /// Node counts per op type after constant folding and fusion (fused kernels appear as `Linear`,
    /// `Gelu`, `Attention`).
    public var preparedOperatorCounts: [String: Int] {
        generalPlan.steps.reduce(into: [:]) { $0[$1.node.opType, default: 0] += 1 }
    }

    let settings = ExecutionSettings()
    let generalPlan: ExecutionPlan
    let options: Options
    let file: MappedFile
    private let lock = NSLock()
    /// Loaded from a file: errors of ``run(_:)`` name it (see ``ONNXError/inModel(path:error:)``).
    private let namesFileInErrors: Bool
    private var specialized: [[[Int]]: ExecutionPlan] = [:]
    private var specializationOrder: [[[Int]]] = []

    /// Threads for this model's kernels and OpenBLAS (OpenBLAS's setting is process-wide).
    public var threads: Int {
        get { settings.threads }
        set {
            settings.threads = Swift.max(1, newValue)
            BLAS.setThreadCount(settings.threads)
        }
    }

    /// Loads and prepares the model at `path`.
    ///
    /// - Parameter outputs: values to compute instead of the graph's outputs — any value a node produces
    ///   (e.g. the hidden states between two transformer blocks), an input or an initializer. Only the
    ///   nodes they depend on are kept, so the model runs up to them and no further. `nil`: the graph's
    ///   outputs. Requested values that are not graph outputs are described with element type code 0 and
    ///   no shape.
    /// - Throws: ``ONNXError`` naming the file, including a requested output the graph does not define.
    public convenience init(contentsOf path: String, options: Options = Options(), outputs: [String]? = nil) throws {
        let file = try MappedFile(path: path)
        do {
            try self.init(
                file: file, directory: (path as NSString).deletingLastPathComponent, options: options,
                requestedOutputs: outputs)
        } catch {
            throw ONNXError.attributed(error, to: path)
        }
    }

    /// Loads a model from bytes in memory (external data is not allowed).
    public convenience init(bytes: [UInt8], name: String = "<memory>", options: Options = Options()) throws {
        try self.init(file: MappedFile(bytes: bytes, path: name), directory: nil, options: options)
    }

    init(file: MappedFile, directory: String?, options: Options, requestedOutputs: [String]? = nil) throws {
        self.file = file
        self.path = file.path
        namesFileInErrors = directory != nil
        self.options = options
        var reader = ProtoReader(base: file.base, start: 0, end: file.count, path: file.path)
        let model = try ONNXProto.model(&reader)
        var opsets: [String: Int] = [:]
        for o in model.opsets { opsets[o.domain == "ai.onnx" ? "" : o.domain] = o.version }
        if model.opsets.isEmpty { opsets[""] = 1 }
        self.opsets = opsets
        opsetVersion = opsets[""] ?? 0
        irVersion = model.irVersion
        producer = model.producerName + (model.producerVersion.isEmpty ? "" : " " + model.producerVersion)
        var counts: [String: Int] = [:]
        for n in model.graph.nodes { counts[n.opType, default: 0] += 1 }
        operatorCounts = counts
        let prepared = try GraphPreparation(
            model: model, file: file, directory: directory, opsets: opsets,
            settings: settings, options: options, requestedOutputs: requestedOutputs)
        parameterCount = prepared.parameterCount
        inputs = prepared.inputs
        outputs = prepared.outputs
        generalPlan = prepared.plan
    }

    /// Frees the intermediate buffers kept for reuse across runs (shared by all models in the process).
    public static func releaseCachedBuffers() { BufferPool.shared.drain() }

    /// When set, every run adds its per-operator times here.
    public var profile: OperatorProfile?

    /// Runs the graph on named inputs and returns every graph output by name.
    ///
    /// Inputs must match the declared element types and ranks (fixed dimensions must match exactly).
    public func run(_ feeds: [String: ONNXValue]) throws -> [String: ONNXValue] {
        do {
            return try runUnattributed(feeds)
        } catch {
            throw namesFileInErrors ? ONNXError.attributed(error, to: path) : error
        }
    }

    private func runUnattributed(_ feeds: [String: ONNXValue]) throws -> [String: ONNXValue] {
        for (name, v) in feeds where !ONNXLimits.isAcceptable(v.shape) {
            throw ONNXError.invalidInput(
                name: name, reason: "shape \(v.shape) exceeds the limit of \(ONNXLimits.maximumTensorElements) elements"
            )
        }
        for d in inputs {
            guard let v = feeds[d.name] else {
                throw ONNXError.invalidInput(name: d.name, reason: "missing (expected \(d.typeDescription))")
            }
            if let t = d.elementType, t != v.elementType {
                throw ONNXError.invalidInput(name: d.name, reason: "element type \(v.elementType), expected \(t)")
            }
            if let shape = d.shape {
                guard shape.count == v.shape.count else {
                    throw ONNXError.invalidInput(
                        name: d.name, reason: "shape \(v.shape), expected \(d.typeDescription)")
                }
                for (k, dim) in shape.enumerated() {
                    if case .fixed(let n) = dim, n != v.shape[k] {
                        throw ONNXError.invalidInput(
                            name: d.name, reason: "shape \(v.shape), expected \(d.typeDescription)")
                    }
                }
            }
        }
        for name in feeds.keys where !inputs.contains(where: { $0.name == name }) {
            throw ONNXError.invalidInput(
                name: name, reason: "not an input of this model (inputs: \(inputs.map(\.name).joined(separator: ", ")))"
            )
        }
        guard options.foldShapes else { return try generalPlan.run(feeds, profile: profile) }
        let key = inputs.map { feeds[$0.name]?.shape ?? [] }
        lock.lock()
        let cached = specialized[key]
        lock.unlock()
        if let cached { return try cached.run(feeds, profile: profile) }
        let tracker = ExecutionPlan.ShapeTracker(count: generalPlan.slotCount)
        let result = try generalPlan.run(feeds, tracker: tracker)
        if let plan = try? GraphPreparation.specialize(
            generalPlan, tracker: tracker,
            blockChannels: options.fuse && options.blockChannels)
        {
            lock.lock()
            if specialized.count >= 8, let oldest = specializationOrder.first {
                specialized[oldest] = nil
                specializationOrder.removeFirst()
            }
            specialized[key] = plan
            specializationOrder.append(key)
            lock.unlock()
        }
        return result
    }
}
