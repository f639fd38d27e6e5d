/// A bounds-checked reader of the protobuf wire format over a byte range that outlives it.
///
/// Every read checks the remaining length first, so a truncated or malformed message becomes an
/// ``ONNXError/malformed(path:offset:reason:)`` instead of an out-of-bounds access.
struct ProtoReader {
    /// The start of the whole file (offsets in errors are relative to it).
    let base: UnsafeRawPointer
    /// Current position and end, as offsets from `base`.
    var position: Int
    let end: Int
    let path: String

    init(base: UnsafeRawPointer, start: Int, end: Int, path: String) {
        self.base = base
        self.position = start
        self.end = end
        self.path = path
    }

    var isAtEnd: Bool { position >= end }

    func fail(_ reason: String) -> ONNXError { .malformed(path: path, offset: position, reason: reason) }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw fail("truncated varint") }
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63 && byte > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readVarint()) }

    mutating func readInt() throws -> Int {
        let v = try readInt64()
        return Int(v)
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw fail("truncated fixed32") }
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: v)
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw fail("truncated fixed64") }
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: v)
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }

    /// Reads a length prefix and returns the byte range `[start, end)` it covers.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw fail("length \(length) runs past the end of the message") }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A reader over a nested message.
    mutating func readMessage() throws -> ProtoReader {
        let range = try readLengthDelimited()
        return ProtoReader(base: base, start: range.lowerBound, end: range.upperBound, path: path)
    }

    mutating func readString() throws -> String {
        let range = try readLengthDelimited()
        let buffer = UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
        return String(decoding: buffer, as: UTF8.self)
    }

    mutating func readBytes() throws -> [UInt8] {
        let range = try readLengthDelimited()
        return Array(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Reads a field tag: `(field number, wire type)`.
    mutating func readTag() throws -> (field: Int, wire: Int) {
        let key = try readVarint()
        let field = key >> 3
        guard field > 0 && field < (1 << 29) else { throw fail("invalid field number \(field)") }
        return (Int(field), Int(key & 7))
    }

    /// Skips a field of the given wire type.
    mutating func skip(wire: Int) throws {
        switch wire {
        case 0: _ = try readVarint()
        case 1: _ = try readFixed64()
        case 2: _ = try readLengthDelimited()
        case 5: _ = try readFixed32()
        default: throw fail("unsupported wire type \(wire)")
        }
    }

    /// Appends a repeated varint field that may be packed (wire type 2) or not (wire type 0).
    mutating func readRepeatedInt64(wire: Int, into values: inout [Int64]) throws {
        if wire == 2 {
            var inner = try readMessage()
            while !inner.isAtEnd { values.append(try inner.readInt64()) }
        } else if wire == 0 {
            values.append(try readInt64())
        } else {
            throw fail("wire type \(wire) for a repeated integer field")
        }
    }

    /// Appends a repeated float field that may be packed (wire type 2) or not (wire type 5).
    mutating func readRepeatedFloat(wire: Int, into values: inout [Float]) throws {
        if wire == 2 {
            var inner = try readMessage()
            let n = (inner.end - inner.position) / 4
            guard n * 4 == inner.end - inner.position else {
                throw fail("packed float field length is not a multiple of 4")
            }
            values.reserveCapacity(values.count + n)
            while !inner.isAtEnd { values.append(try inner.readFloat()) }
        } else if wire == 5 {
            values.append(try readFloat())
        } else {
            throw fail("wire type \(wire) for a repeated float field")
        }
    }

    /// Appends a repeated double field that may be packed (wire type 2) or not (wire type 1).
    mutating func readRepeatedDouble(wire: Int, into values: inout [Double]) throws {
        if wire == 2 {
            var inner = try readMessage()
            guard (inner.end - inner.position) % 8 == 0 else {
                throw fail("packed double field length is not a multiple of 8")
            }
            while !inner.isAtEnd { values.append(Double(bitPattern: try inner.readFixed64())) }
        } else if wire == 1 {
            values.append(Double(bitPattern: try readFixed64()))
        } else {
            throw fail("wire type \(wire) for a repeated double field")
        }
    }

    func expect(_ wire: Int, _ expected: Int, _ field: String) throws {
        guard wire == expected else { throw fail("field \(field) has wire type \(wire), expected \(expected)") }
    }
}
