import Foundation

/// What a kernel factory sees of a node at load time: its name, resolved operator version and attributes.
struct NodeContext {
    let name: String
    let opType: String
    let domain: String
    /// The `since_version` of the implementation chosen for the model's opset.
    let version: Int
    let attributes: [String: ONNXProto.AttributeValue]
    /// Tensor-valued attributes already converted to values.
    let tensorAttributes: [String: ONNXValue]
    let inputCount: Int
    let outputCount: Int
    /// Run-time settings shared by every kernel of a model (thread count).
    let settings: ExecutionSettings

    func fail(_ reason: String) -> ONNXError { .invalidNode(node: name, op: opType, reason: reason) }
    func attributeError(_ attribute: String, _ reason: String) -> ONNXError {
        .invalidAttribute(node: name, op: opType, attribute: attribute, reason: reason)
    }

    func has(_ key: String) -> Bool { attributes[key] != nil }

    func int(_ key: String, _ fallback: Int) throws -> Int {
        guard let value = attributes[key] else { return fallback }
        guard case .int(let v) = value else { throw attributeError(key, "expected an integer") }
        guard v > Int64(Int32.min) * 4, v < Int64(Int32.max) * 4 || v == Int64.max else {
            throw attributeError(key, "value \(v) is out of range")
        }
        return v == Int64.max ? Int.max : Int(v)
    }

    func float(_ key: String, _ fallback: Float) throws -> Float {
        guard let value = attributes[key] else { return fallback }
        switch value {
        case .float(let v): return v
        case .int(let v): return Float(v)
        default: throw attributeError(key, "expected a float")
        }
    }

    func ints(_ key: String) throws -> [Int]? {
        guard let value = attributes[key] else { return nil }
        guard case .ints(let v) = value else { throw attributeError(key, "expected a list of integers") }
        guard v.allSatisfy({ $0 > Int64(Int32.min) * 4 && $0 < Int64(Int32.max) * 4 }) else {
            throw attributeError(key, "values out of range")
        }
        return v.map { Int($0) }
    }

    func floats(_ key: String) throws -> [Float]? {
        guard let value = attributes[key] else { return nil }
        guard case .floats(let v) = value else { throw attributeError(key, "expected a list of floats") }
        return v
    }

    func string(_ key: String, _ fallback: String) throws -> String {
        guard let value = attributes[key] else { return fallback }
        guard case .string(let v) = value else { throw attributeError(key, "expected a string") }
        return String(decoding: v, as: UTF8.self)
    }

    /// A string attribute restricted to a set of accepted values.
    func choice(_ key: String, _ fallback: String, _ allowed: Set<String>) throws -> String {
        let v = try string(key, fallback)
        guard allowed.contains(v) else { throw attributeError(key, "unsupported value '\(v)'") }
        return v
    }

    /// A present input or an error naming it.
    func input(_ inputs: [ONNXValue?], _ i: Int) throws -> ONNXValue {
        guard i < inputs.count, let v = inputs[i] else { throw fail("missing input \(i)") }
        return v
    }

    func optionalInput(_ inputs: [ONNXValue?], _ i: Int) -> ONNXValue? { i < inputs.count ? inputs[i] : nil }

    func floatInput(_ inputs: [ONNXValue?], _ i: Int) throws -> ONNXValue {
        let v = try input(inputs, i)
        guard v.elementType == .float else { throw fail("input \(i) must be float32, got \(v.elementType)") }
        return v
    }

    /// A 1-D (or scalar) int64 input read as integers.
    func intsInput(_ inputs: [ONNXValue?], _ i: Int) throws -> [Int] {
        let v = try input(inputs, i)
        guard v.elementType == .int64 else { throw fail("input \(i) must be int64, got \(v.elementType)") }
        guard v.shape.count <= 1 else { throw fail("input \(i) must be 1-D") }
        let p = v.int64Pointer
        return (0..<v.count).map { Int(clamping: p[$0]) }
    }

    /// Normalizes a possibly negative axis against `rank` (a scalar has no axis: rank 0 is always an error).
    func axis(_ a: Int, rank: Int, _ what: String = "axis") throws -> Int {
        let r = a < 0 ? a + rank : a
        guard r >= 0 && r < rank else { throw fail("\(what) \(a) is out of range for rank \(rank)") }
        return r
    }
}

/// A kernel: turns input values (nil for omitted optional inputs) into output values.
typealias Kernel = ([ONNXValue?]) throws -> [ONNXValue]

/// Row-major strides of a shape.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s *= shape[i]
    }
    return strides
}

/// The numpy-style broadcast of two shapes, or nil when incompatible.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Strides to read `shape` as if broadcast to `outShape` (0 along broadcast dimensions).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let strides = contiguousStrides(shape)
    let offset = outShape.count - shape.count
    return (0..<outShape.count).map { i in
        i < offset ? 0 : (shape[i - offset] == 1 && outShape[i] != 1 ? 0 : strides[i - offset])
    }
}

/// Merges adjacent dimensions where every operand is laid out contiguously across them.
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    guard !shape.isEmpty else { return ([1], strides.map { _ in [0] }) }
    var outShape = [shape[0]]
    var outStrides = strides.map { [$0[0]] }
    for d in 1..<shape.count {
        let last = outShape.count - 1
        let mergeable = strides.indices.allSatisfy { k in outStrides[k][last] == strides[k][d] * shape[d] }
        if mergeable {
            outShape[last] *= shape[d]
            for k in strides.indices { outStrides[k][last] = strides[k][d] }
        } else {
            outShape.append(shape[d])
            for k in strides.indices { outStrides[k].append(strides[k][d]) }
        }
    }
    return (outShape, outStrides)
}

/// Calls `body(offsets, innerCount, innerStrides)` for every innermost row of a broadcast iteration.
@inline(__always)
func forEachRow(_ shape: [Int], _ strides: [[Int]], _ body: ([Int], Int, [Int]) -> Void) {
    let (s, st) = coalesce(shape, strides)
    let rank = s.count
    let inner = s[rank - 1]
    let innerStrides = st.map { $0[rank - 1] }
    var outer = 1
    for d in 0..<(rank - 1) { outer *= s[d] }
    if outer == 0 || inner == 0 { return }
    var index = [Int](repeating: 0, count: rank)
    var offsets = [Int](repeating: 0, count: strides.count)
    for _ in 0..<outer {
        body(offsets, inner, innerStrides)
        var d = rank - 2
        while d >= 0 {
            index[d] += 1
            for k in offsets.indices { offsets[k] += st[k][d] }
            if index[d] < s[d] { break }
            for k in offsets.indices { offsets[k] -= st[k][d] * s[d] }
            index[d] = 0
            d -= 1
        }
    }
}

/// Settings read by kernels while running; one instance per model.
final class ExecutionSettings: @unchecked Sendable {
    /// Threads for the kernels' ``parallelChunks(_:minimumPerThread:_:)`` loops (the caller plus `threads − 1`
    /// workers of the process-wide ``WorkerPool``); OpenBLAS is set separately.
    var threads: Int = 1

    /// Runs `body(chunk)` over `count` items split into at most `parts = min(threads, count / minimumPerThread)`
    /// contiguous chunks of `⌈count / parts⌉` items, the last shorter (one chunk on the calling thread when
    /// `parts` ≤ 1), on the persistent ``WorkerPool``. The chunks depend only on `count`, `minimumPerThread` and `threads`.
    @inline(__always)
    func parallelChunks(_ count: Int, minimumPerThread: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(threads, count / Swift.max(minimumPerThread, 1))
        if parts <= 1 { body(0..<count); return }
        let per = (count + parts - 1) / parts
        func chunk(_ p: Int) {
            let lo = p * per, hi = Swift.min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
        if Self.usesDispatch {
            withoutActuallyEscaping(chunk) { escaping in
                let box = UncheckedSendable(escaping)
                DispatchQueue.concurrentPerform(iterations: parts) { box.value($0) }
            }
        } else {
            WorkerPool.shared.run(parts: parts, chunk)
        }
    }

    /// `PIXELREC_ONNX_POOL=dispatch` runs the chunks with `DispatchQueue.concurrentPerform` instead of
    /// ``WorkerPool`` (for comparison).
    static let usesDispatch = ProcessInfo.processInfo.environment["PIXELREC_ONNX_POOL"] == "dispatch"
}

/// Carries a value the caller guarantees is used safely across threads (disjoint output ranges).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Process-wide limits on what a model may allocate.
public enum ONNXLimits {
    /// Largest element count of any single tensor a kernel may create (default 2³¹). Lower it to bound
    /// memory for untrusted models (the fuzzer uses 2²²).
    nonisolated(unsafe) public static var maximumTensorElements = 1 << 31
}

extension ONNXLimits {
    /// Whether `shape` is one a value may have: no negative dimension, and the product of its nonzero
    /// dimensions within ``maximumTensorElements``. Every value in a graph keeps this invariant (initializers
    /// and feeds are checked on entry, kernels check the shapes they make), so any product of a value's
    /// dimensions, in any order, fits in an `Int`, and an empty tensor cannot carry dimensions that turn
    /// into a huge allocation once a 0 is broadcast or reduced away.
    public static func isAcceptable(_ shape: [Int]) -> Bool {
        var n = 1
        for d in shape {
            guard d >= 0 else { return false }
            if d == 0 { continue }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= maximumTensorElements else { return false }
            n = p
        }
        return true
    }

    /// The product of `values` (sizes, counts) or nil when it overflows `Int` or any value is negative.
    static func product(_ values: [Int]) -> Int? {
        var n = 1
        for v in values {
            guard v >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: v)
            guard !o else { return nil }
            n = p
        }
        return n
    }
}

extension NodeContext {
    /// Throws when `shape` has a negative dimension or, leaving zeros out, more elements than
    /// ``ONNXLimits/maximumTensorElements`` (see ``ONNXLimits/isAcceptable(_:)``).
    func checkShape(_ shape: [Int]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in output shape \(shape)") }
        guard ONNXLimits.isAcceptable(shape) else {
            throw fail("output shape \(shape) exceeds the limit of \(ONNXLimits.maximumTensorElements) elements")
        }
    }

    /// `a + b` for sizes, offsets and pads read from the model; throws instead of overflowing.
    func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (s, o) = a.addingReportingOverflow(b)
        guard !o else { throw fail("\(what()) overflows") }
        return s
    }

    /// `a · b` for sizes read from the model; throws instead of overflowing.
    func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String) throws -> Int {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        guard !o else { throw fail("\(what()) overflows") }
        return p
    }
}
