/// Opset-aware table of operator implementations, keyed by (domain, op_type, since_version).
///
/// A node resolves to the implementation with the largest `since_version` not above the model's opset
/// for the node's domain; factories validate attributes at load and return the kernel.
enum OperatorRegistry {
    typealias Factory = @Sendable (NodeContext) throws -> Kernel

    struct Entry: Sendable {
        /// The `since_version`s this implementation covers (each version's semantic changes are handled inside).
        let versions: [Int]
        let factory: Factory
    }

    /// Operators of the default `ai.onnx` domain.
    static let standard: [String: Entry] = {
        typealias E = ElementwiseOps
        var t: [String: Entry] = [:]
        func add(_ op: String, _ versions: [Int], _ f: @escaping Factory) {
            t[op] = Entry(versions: versions, factory: f)
        }
        add("Add", [7, 13, 14]) { try E.arithmetic($0, .add) }
        add("Sub", [7, 13, 14]) { try E.arithmetic($0, .sub) }
        add("Mul", [7, 13, 14]) { try E.arithmetic($0, .mul) }
        add("Div", [7, 13, 14]) { try E.arithmetic($0, .div) }
        add("Pow", [7, 12, 13, 15]) { try E.arithmetic($0, .pow) }
        add("Min", [8, 12, 13]) { try E.arithmetic($0, .min) }
        add("Max", [8, 12, 13]) { try E.arithmetic($0, .max) }
        add("Mod", [10, 13]) { try E.arithmetic($0, .mod) }
        add("Equal", [11, 13]) { E.compare($0, .equal) }
        add("Less", [9, 13]) { E.compare($0, .less) }
        add("LessOrEqual", [12, 16]) { E.compare($0, .lessOrEqual) }
        add("Greater", [9, 13]) { E.compare($0, .greater) }
        add("GreaterOrEqual", [12, 16]) { E.compare($0, .greaterOrEqual) }
        add("And", [7]) { E.logical($0, .and) }
        add("Or", [7]) { E.logical($0, .or) }
        add("Xor", [7]) { E.logical($0, .xor) }
        add("Not", [1]) { E.not($0) }
        add("IsNaN", [9, 13]) { E.isNaN($0) }
        add("Abs", [6, 13]) { E.unary($0, .abs) }
        add("Neg", [6, 13]) { E.unary($0, .neg) }
        add("Sqrt", [6, 13]) { E.unary($0, .sqrt) }
        add("Exp", [6, 13]) { E.unary($0, .exp) }
        add("Log", [6, 13]) { E.unary($0, .log) }
        add("Erf", [9, 13]) { E.unary($0, .erf) }
        add("Tanh", [6, 13]) { E.unary($0, .tanh) }
        add("Sigmoid", [6, 13]) { E.unary($0, .sigmoid) }
        add("Relu", [6, 13, 14]) { E.unary($0, .relu) }
        add("Reciprocal", [6, 13]) { E.unary($0, .reciprocal) }
        add("Floor", [6, 13]) { E.unary($0, .floor) }
        add("Ceil", [6, 13]) { E.unary($0, .ceil) }
        add("Sin", [7]) { E.unary($0, .sin) }
        add("Cos", [7]) { E.unary($0, .cos) }
        add("Sign", [9, 13]) { E.unary($0, .sign) }
        add("Cast", [6, 9, 13]) { try E.cast($0) }
        add("Clip", [6, 11, 12, 13]) { try E.clip($0) }
        add("Where", [9, 16]) { E.whereOp($0) }
        add("Identity", [1, 13, 14, 16]) { ShapeOps.identity($0) }
        add("Shape", [1, 13, 15]) { try ShapeOps.shape($0) }
        add("Size", [1, 13]) { ShapeOps.size($0) }
        add("Reshape", [5, 13, 14]) { try ShapeOps.reshape($0) }
        add("Flatten", [1, 9, 11, 13]) { try ShapeOps.flatten($0) }
        add("Squeeze", [1, 11, 13]) { try ShapeOps.squeeze($0) }
        add("Unsqueeze", [1, 11, 13]) { try ShapeOps.unsqueeze($0) }
        add("Transpose", [1, 13]) { try ShapeOps.transpose($0) }
        add("Concat", [4, 11, 13]) { try ShapeOps.concat($0) }
        add("Split", [2, 11, 13]) { try ShapeOps.split($0) }
        add("Slice", [1, 10, 11, 13]) { try ShapeOps.slice($0) }
        add("Gather", [1, 11, 13]) { try ShapeOps.gather($0) }
        add("GatherElements", [11, 13]) { try ShapeOps.gatherElements($0) }
        add("GatherND", [11, 12, 13]) { try ShapeOps.gatherND($0) }
        add("Expand", [8, 13]) { ShapeOps.expand($0) }
        add("Tile", [6, 13]) { ShapeOps.tile($0) }
        add("Constant", [1, 9, 11, 12, 13]) { try ShapeOps.constant($0) }
        add("ConstantOfShape", [9]) { try ShapeOps.constantOfShape($0) }
        add("Range", [11]) { ShapeOps.range($0) }
        add("CumSum", [11, 14]) { try ShapeOps.cumSum($0) }
        add("Pad", [2, 11, 13, 18]) { try PadOp.make($0) }
        add("ReduceSum", [1, 11, 13]) { try ReduceOps.make($0, .sum) }
        add("ReduceMean", [1, 11, 13, 18]) { try ReduceOps.make($0, .mean) }
        add("ReduceMax", [1, 11, 12, 13, 18]) { try ReduceOps.make($0, .max) }
        add("ReduceMin", [1, 11, 12, 13, 18]) { try ReduceOps.make($0, .min) }
        add("ReduceProd", [1, 11, 13, 18]) { try ReduceOps.make($0, .prod) }
        add("ReduceL1", [1, 11, 13, 18]) { try ReduceOps.make($0, .l1) }
        add("ReduceL2", [1, 11, 13, 18]) { try ReduceOps.make($0, .l2) }
        add("ReduceSumSquare", [1, 11, 13, 18]) { try ReduceOps.make($0, .sumSquare) }
        add("ReduceLogSum", [1, 11, 13, 18]) { try ReduceOps.make($0, .logSum) }
        add("ReduceLogSumExp", [1, 11, 13, 18]) { try ReduceOps.make($0, .logSumExp) }
        add("ArgMax", [1, 11, 12, 13]) { try ReduceOps.argExtreme($0, max: true) }
        add("ArgMin", [1, 11, 12, 13]) { try ReduceOps.argExtreme($0, max: false) }
        add("Softmax", [1, 11, 13]) { try ReduceOps.softmax($0, log: false) }
        add("LogSoftmax", [1, 11, 13]) { try ReduceOps.softmax($0, log: true) }
        add("MatMul", [1, 9, 13]) { MatMulOps.matMul($0) }
        add("Gemm", [7, 9, 11, 13]) { try MatMulOps.gemm($0) }
        add("LayerNormalization", [17]) { try NormalizationOps.layerNorm($0) }
        add("BatchNormalization", [9, 14, 15]) { try NormalizationOps.batchNorm($0) }
        add("Conv", [1, 11]) { try ConvOps.conv($0) }
        add("MaxPool", [8, 10, 11, 12]) { try PoolOps.pool($0, max: true) }
        add("AveragePool", [7, 10, 11]) { try PoolOps.pool($0, max: false) }
        add("GlobalAveragePool", [1]) { PoolOps.global($0, max: false) }
        add("GlobalMaxPool", [1]) { PoolOps.global($0, max: true) }
        add("Resize", [10, 11, 13, 18]) { try ResizeOp.make($0) }
        return t
    }()

    /// Operators the graph optimizer introduces (domain `pixelrec`).
    static let fused: [String: Entry] = [
        "Linear": Entry(versions: [1]) { MatMulOps.linear($0) },
        "Gelu": Entry(versions: [1]) { ElementwiseOps.unary($0, .gelu) },
    ]

    static let fusedDomain = "pixelrec"

    /// The implementation for a node, or nil when the op (or any version of it up to `opset`) is unknown.
    static func resolve(domain: String, op: String, opset: Int) -> (entry: Entry, version: Int)? {
        let table: [String: Entry]
        switch domain {
        case "", "ai.onnx": table = standard
        case fusedDomain: table = fused
        default: return nil
        }
        guard let entry = table[op], let version = entry.versions.filter({ $0 <= opset }).max() else { return nil }
        return (entry, version)
    }

    /// Every supported standard operator name, sorted.
    static var supportedOperators: [String] { standard.keys.sorted() }
}
