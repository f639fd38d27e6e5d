import Foundation
import PixelCore

/// Reads and writes NumPy `.npy` files (format versions 1–3, C order, little-endian).
///
/// Supported dtypes when reading: `<f4` (float32), `<f8` (converted to float32), `<i8` (int64),
/// `<i4`, `<i2`, `|i1`, `|u1`, `<u2`, `<u4` (converted to int64) and `|b1` (bool). Writing produces
/// version 1.0 files with `<f4`, `<i8` or `|b1`.
public enum NumpyArray {
    /// Parses `.npy` bytes into a value; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> ONNXValue {
        func fail(_ reason: String) -> ONNXError { .npy(path: path, reason: reason) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy version \(major)")
        }
        guard headerLength <= bytes.count - headerStart else { throw fail("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr"), let shapeText = field(header, "shape") else {
            throw fail("header lacks 'descr' or 'shape': \(header)")
        }
        if let fortran = field(header, "fortran_order"), fortran.hasPrefix("True") {
            throw fail("Fortran-order arrays are not supported")
        }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0, d < (1 << 40) else { throw fail("invalid shape \(shapeText)") }
            shape.append(d)
        }
        guard ONNXLimits.isAcceptable(shape), let count = ONNXLimits.product(shape) else {
            throw fail("shape \(shape) exceeds the limit of \(ONNXLimits.maximumTensorElements) elements")
        }
        let dataStart = headerStart + headerLength
        let itemSize: Int
        switch dtype {
        case "<f4", "<i4", "<u4": itemSize = 4
        case "<f8", "<i8", "<u8": itemSize = 8
        case "<i2", "<u2": itemSize = 2
        case "|i1", "|u1", "|b1": itemSize = 1
        default: throw fail("unsupported dtype '\(dtype)'")
        }
        guard bytes.count - dataStart == count * itemSize else {
            throw fail(
                "expected \(count * itemSize) data bytes for \(dtype) \(shape), found \(bytes.count - dataStart)")
        }
        return bytes.withUnsafeBytes { raw -> ONNXValue in
            let base = raw.baseAddress! + dataStart
            switch dtype {
            case "<f4":
                let v = ONNXValue(uninitialized: .float, shape: shape)
                v.buffer.raw.copyMemory(from: base, byteCount: count * 4)
                return v
            case "<f8":
                let v = ONNXValue(uninitialized: .float, shape: shape)
                for i in 0..<count {
                    v.floatPointer[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Double.self))
                }
                return v
            case "|b1":
                let v = ONNXValue(uninitialized: .bool, shape: shape)
                for i in 0..<count { v.boolPointer[i] = base.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
                return v
            default:
                let v = ONNXValue(uninitialized: .int64, shape: shape)
                for i in 0..<count {
                    let o = i * itemSize
                    let x: Int64
                    switch dtype {
                    case "<i8": x = base.loadUnaligned(fromByteOffset: o, as: Int64.self)
                    case "<u8": x = Int64(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: o, as: UInt64.self))
                    case "<i4": x = Int64(base.loadUnaligned(fromByteOffset: o, as: Int32.self))
                    case "<u4": x = Int64(base.loadUnaligned(fromByteOffset: o, as: UInt32.self))
                    case "<i2": x = Int64(base.loadUnaligned(fromByteOffset: o, as: Int16.self))
                    case "<u2": x = Int64(base.loadUnaligned(fromByteOffset: o, as: UInt16.self))
                    case "|i1": x = Int64(base.load(fromByteOffset: o, as: Int8.self))
                    default: x = Int64(base.load(fromByteOffset: o, as: UInt8.self))
                    }
                    v.int64Pointer[i] = x
                }
                return v
            }
        }
    }

    /// Reads a `.npy` file.
    public static func read(_ path: String) throws -> ONNXValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ONNXError.io(path: path, reason: "cannot read")
        }
        return try decode([UInt8](data), path: path)
    }

    /// Encodes a value as a version 1.0 `.npy` file.
    public static func encode(_ value: ONNXValue) -> [UInt8] {
        let descr: String
        switch value.elementType {
        case .float: descr = "<f4"
        case .int64: descr = "<i8"
        case .bool: descr = "|b1"
        }
        let shapeText =
            value.shape.isEmpty
            ? "()"
            : value.shape.count == 1
                ? "(\(value.shape[0]),)"
                : "(" + value.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let n = header.utf8.count
        bytes += [UInt8(n & 0xFF), UInt8(n >> 8)]
        bytes += Array(header.utf8)
        bytes += Array(UnsafeRawBufferPointer(start: value.buffer.raw, count: value.count * value.elementType.byteSize))
        return bytes
    }

    /// Writes a value as a `.npy` file atomically (temp file + rename).
    public static func write(_ value: ONNXValue, to path: String) throws {
        do {
            try AtomicFile.write(Data(encode(value)), to: path)
        } catch {
            throw ONNXError.io(path: path, reason: "cannot write (\(error))")
        }
    }

    /// The text after `'key':` up to the next top-level comma (tuples kept whole).
    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var depth = 0
        var out = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1; if depth == 0 { out.append(ch); break } }
            if (ch == "," || ch == "}") && depth == 0 { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
