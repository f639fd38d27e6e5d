import Foundation
import PixelTensor

/// The element types the interpreter computes with (ONNX `TensorProto.DataType` codes).
public enum ONNXElementType: Int, Sendable, CustomStringConvertible {
    case float = 1
    case int64 = 7
    case bool = 9

    /// Bytes per element (booleans are one byte, 0 or 1).
    public var byteSize: Int {
        switch self {
        case .float: return 4
        case .int64: return 8
        case .bool: return 1
        }
    }

    public var description: String {
        switch self {
        case .float: return "float32"
        case .int64: return "int64"
        case .bool: return "bool"
        }
    }
}

/// Raw, 64-byte aligned bytes behind an ``ONNXValue``, either owned or borrowed from a memory-mapped
/// model file (then `owner` keeps the mapping alive).
final class ONNXBuffer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let byteCount: Int
    let owner: AnyObject?

    init(byteCount: Int) {
        self.byteCount = byteCount
        raw = BufferPool.shared.take(byteCount)
        owner = nil
    }

    /// Borrows `byteCount` bytes at `raw` that `owner` keeps valid; never written to.
    init(borrowing raw: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.raw = UnsafeMutableRawPointer(mutating: raw)
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit { if owner == nil { BufferPool.shared.give(raw, byteCount) } }
}

/// Keeps freed large buffers for reuse by size, so steady-state runs do not map fresh pages
/// (page faults on new allocations dominated element-wise kernels on large activations).
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    /// Buffers below this size go straight to malloc.
    static let minimumBytes = 1 << 16
    /// Upper bound on bytes held for reuse.
    static let limitBytes = 1 << 30

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var held = 0

    static func roundedSize(_ n: Int) -> Int { (n + 4095) & ~4095 }

    func take(_ byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= Self.minimumBytes {
            let size = Self.roundedSize(byteCount)
            lock.lock()
            if let p = free[size]?.popLast() {
                held -= size
                lock.unlock()
                return p
            }
            lock.unlock()
            return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        }
        return UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 8), alignment: 64)
    }

    /// Keeps `p` for reuse; when the pool is full, buffers of other sizes are released first (the sizes
    /// in use change with the plan, e.g. after shape specialization, and stale ones must not crowd out
    /// the current working set).
    func give(_ p: UnsafeMutableRawPointer, _ byteCount: Int) {
        if byteCount >= Self.minimumBytes {
            let size = Self.roundedSize(byteCount)
            var evicted: [UnsafeMutableRawPointer] = []
            lock.lock()
            if held + size > Self.limitBytes && size <= Self.limitBytes {
                for other in free.keys.sorted(by: >) where other != size {
                    while held + size > Self.limitBytes, let q = free[other]?.popLast() {
                        evicted.append(q)
                        held -= other
                    }
                    if free[other]?.isEmpty == true { free[other] = nil }
                    if held + size <= Self.limitBytes { break }
                }
            }
            let kept = held + size <= Self.limitBytes
            if kept {
                free[size, default: []].append(p)
                held += size
            }
            lock.unlock()
            for q in evicted { q.deallocate() }
            if kept { return }
        }
        p.deallocate()
    }

    /// Returns every held buffer to the system allocator.
    func drain() {
        lock.lock()
        let all = free.values.flatMap { $0 }
        free = [:]
        held = 0
        lock.unlock()
        for p in all { p.deallocate() }
    }
}

/// A dense, row-major tensor value flowing through an ONNX graph: float32, int64 or bool.
///
/// Values are immutable once built; kernels allocate fresh outputs. Build them from Swift arrays,
/// from a PixelTensor ``Tensor``, or read them from `.npy` files with ``NumpyArray``.
public struct ONNXValue: Sendable, CustomStringConvertible {
    /// The element type.
    public let elementType: ONNXElementType
    /// The dimensions (empty for a scalar).
    public let shape: [Int]
    let buffer: ONNXBuffer

    /// Number of elements, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }

    init(elementType: ONNXElementType, shape: [Int], buffer: ONNXBuffer) {
        self.elementType = elementType
        self.shape = shape
        self.buffer = buffer
    }

    /// An uninitialized value of the given type and shape.
    init(uninitialized elementType: ONNXElementType, shape: [Int]) {
        let n = shape.reduce(1, *)
        self.init(elementType: elementType, shape: shape, buffer: ONNXBuffer(byteCount: n * elementType.byteSize))
    }

    /// A float32 tensor; `scalars.count` must equal the product of `shape`.
    public init(floats scalars: [Float], shape: [Int]) throws {
        guard ONNXLimits.isAcceptable(shape), scalars.count == ONNXLimits.product(shape) else {
            throw ONNXError.invalidInput(name: "floats", reason: "\(scalars.count) values for shape \(shape)")
        }
        self.init(uninitialized: .float, shape: shape)
        scalars.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { floatPointer.update(from: s, count: scalars.count) }
        }
    }

    /// An int64 tensor; `scalars.count` must equal the product of `shape`.
    public init(int64s scalars: [Int64], shape: [Int]) throws {
        guard ONNXLimits.isAcceptable(shape), scalars.count == ONNXLimits.product(shape) else {
            throw ONNXError.invalidInput(name: "int64s", reason: "\(scalars.count) values for shape \(shape)")
        }
        self.init(uninitialized: .int64, shape: shape)
        scalars.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { int64Pointer.update(from: s, count: scalars.count) }
        }
    }

    /// A bool tensor; `scalars.count` must equal the product of `shape`.
    public init(bools scalars: [Bool], shape: [Int]) throws {
        guard ONNXLimits.isAcceptable(shape), scalars.count == ONNXLimits.product(shape) else {
            throw ONNXError.invalidInput(name: "bools", reason: "\(scalars.count) values for shape \(shape)")
        }
        self.init(uninitialized: .bool, shape: shape)
        let p = boolPointer
        for (i, b) in scalars.enumerated() { p[i] = b ? 1 : 0 }
    }

    /// A float32 value holding a copy of a PixelTensor tensor.
    public init(_ tensor: Tensor) {
        self.init(uninitialized: .float, shape: tensor.shape)
        let dst = floatPointer
        tensor.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { dst.update(from: s, count: src.count) }
        }
    }

    /// A PixelTensor copy of a float32 value (`nil` for other element types).
    public var tensor: Tensor? {
        guard elementType == .float else { return nil }
        return Tensor(shape: shape, scalars: floats)
    }

    /// The elements as Float (int64 and bool are converted).
    public var floats: [Float] {
        let n = count
        switch elementType {
        case .float: return Array(UnsafeBufferPointer(start: floatPointer, count: n))
        case .int64: return (0..<n).map { Float(int64Pointer[$0]) }
        case .bool: return (0..<n).map { boolPointer[$0] != 0 ? 1 : 0 }
        }
    }

    /// The elements as Int64 (floats are truncated toward zero; bools are 0 or 1).
    public var int64s: [Int64] {
        let n = count
        switch elementType {
        case .float:
            return (0..<n).map { v in
                let f = floatPointer[v]; return f.isFinite ? Int64(f) : 0
            }
        case .int64: return Array(UnsafeBufferPointer(start: int64Pointer, count: n))
        case .bool: return (0..<n).map { Int64(boolPointer[$0]) }
        }
    }

    /// The elements as Bool (nonzero is true).
    public var bools: [Bool] {
        let n = count
        switch elementType {
        case .float: return (0..<n).map { floatPointer[$0] != 0 }
        case .int64: return (0..<n).map { int64Pointer[$0] != 0 }
        case .bool: return (0..<n).map { boolPointer[$0] != 0 }
        }
    }

    var floatPointer: UnsafeMutablePointer<Float> { buffer.raw.assumingMemoryBound(to: Float.self) }
    var int64Pointer: UnsafeMutablePointer<Int64> { buffer.raw.assumingMemoryBound(to: Int64.self) }
    var boolPointer: UnsafeMutablePointer<UInt8> { buffer.raw.assumingMemoryBound(to: UInt8.self) }

    /// The same bytes viewed with another shape of equal element count.
    func reshaped(_ newShape: [Int]) -> ONNXValue {
        ONNXValue(elementType: elementType, shape: newShape, buffer: buffer)
    }

    public var description: String { "\(elementType)\(shape)" }
}
