/// Little-endian packing of what ranks exchange: counts, then arrays of `Float`, `Double`, `Int32`.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func int(_ value: Int) { append(Int64(value)) }

    public mutating func floats(_ values: UnsafeBufferPointer<Float>) {
        int(values.count)
        bytes.append(contentsOf: UnsafeRawBufferPointer(values))
    }

    public mutating func floats(_ values: [Float]) { values.withUnsafeBufferPointer { floats($0) } }

    public mutating func doubles(_ values: [Double]) {
        int(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    public mutating func int32s(_ values: [Int32]) {
        int(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what ``ByteWriter`` wrote; every read checks the remaining length (a malformed payload throws
/// ``ClusterError/malformedPayload(rank:reason:)``, never traps).
public struct ByteReader {
    private let bytes: [UInt8]
    private var offset: Int
    /// The rank that sent the bytes (for error messages).
    public let rank: Int

    public init(_ bytes: [UInt8], rank: Int) {
        self.bytes = bytes
        self.offset = 0
        self.rank = rank
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func int() throws(ClusterError) -> Int {
        guard bytes.count - offset >= 8 else { throw fail("truncated count") }
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return Int(Int64(bitPattern: value))
    }

    /// A count `n`, checked to be ≥ 0 and to fit `n · width` remaining bytes.
    public mutating func count(width: Int) throws(ClusterError) -> Int {
        let n = try int()
        guard n >= 0, n <= (bytes.count - offset) / max(1, width) else { throw fail("count \(n) out of range") }
        return n
    }

    public mutating func floats() throws(ClusterError) -> [Float] { try array(Float.self) }
    public mutating func doubles() throws(ClusterError) -> [Double] { try array(Double.self) }
    public mutating func int32s() throws(ClusterError) -> [Int32] { try array(Int32.self) }

    private mutating func array<T: BitwiseCopyable>(_: T.Type) throws(ClusterError) -> [T] {
        let width = MemoryLayout<T>.stride
        let n = try count(width: width)
        let start = offset
        offset += n * width
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(out).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n * width)]))
            }
            initialized = n
        }
    }

    public func fail(_ reason: String) -> ClusterError { .malformedPayload(rank: rank, reason: reason) }
}
