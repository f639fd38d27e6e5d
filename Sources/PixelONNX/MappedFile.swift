import Foundation

/// A file's bytes, memory-mapped (`Data(contentsOf:options:.alwaysMapped)`), with a stable base address.
///
/// Tensors read from `raw_data` borrow these bytes without copying; each borrowing ``ONNXBuffer`` keeps
/// the mapping alive through its `owner` reference.
final class MappedFile: @unchecked Sendable {
    let path: String
    let data: Data
    let base: UnsafeRawPointer
    let count: Int

    init(path: String) throws {
        self.path = path
        let loaded: Data
        do {
            loaded = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ONNXError.io(path: path, reason: "cannot read (\(error.localizedDescription))")
        }
        data = loaded
        let n = loaded.count
        count = n
        if n < 4096 {
            // Small Data values may be stored inline (no stable address): keep an owned copy instead.
            let copy = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(n, 1), alignment: 64)
            loaded.withUnsafeBytes { src in
                if let s = src.baseAddress { copy.copyMemory(from: s, byteCount: n) }
            }
            base = UnsafeRawPointer(copy)
            ownsCopy = true
        } else {
            // A large Data is backed by a heap (or mapped) storage object whose bytes never move while
            // the Data is alive and unmodified.
            base = loaded.withUnsafeBytes { buffer in
                UnsafeRawPointer(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!)
            }
        }
    }

    /// Wraps bytes already in memory (used by the fuzzer and tests).
    init(bytes: [UInt8], path: String) {
        self.path = path
        data = Data()
        count = bytes.count
        let copy = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { copy.copyMemory(from: s, byteCount: bytes.count) }
        }
        base = UnsafeRawPointer(copy)
        ownsCopy = true
    }

    private var ownsCopy = false

    deinit { if ownsCopy { UnsafeMutableRawPointer(mutating: base).deallocate() } }
}

extension ONNXProto {
    /// Turns a decoded tensor into a value, borrowing `raw_data` from the mapped file when aligned.
    ///
    /// External data files are resolved relative to `directory` and must stay inside it.
    static func value(
        of t: Tensor, file: MappedFile, directory: String?, externalFiles: inout [String: MappedFile]
    ) throws -> ONNXValue {
        if let widened = try widenedValue(of: t, file: file) { return widened }
        guard let type = ONNXElementType(rawValue: t.dataType) else {
            throw ONNXError.unsupportedType(name: t.name, type: t.dataType)
        }
        let (shape, count) = try checkedShape(of: t, file: file)
        let byteCount = count * type.byteSize
        func mismatch(_ got: Int) -> ONNXError {
            .malformed(
                path: file.path, offset: 0,
                reason: "tensor '\(t.name)' of shape \(shape) has \(got) values, expected \(count)")
        }
        func fromBytes(_ pointer: UnsafeRawPointer, length: Int, owner: MappedFile) throws -> ONNXValue {
            guard length == byteCount else { throw mismatch(length / Swift.max(type.byteSize, 1)) }
            if Int(bitPattern: pointer) % type.byteSize == 0 {
                return ONNXValue(
                    elementType: type, shape: shape,
                    buffer: ONNXBuffer(borrowing: pointer, byteCount: length, owner: owner))
            }
            let value = ONNXValue(uninitialized: type, shape: shape)
            value.buffer.raw.copyMemory(from: pointer, byteCount: length)
            return value
        }
        switch t.data {
        case .none:
            guard count == 0 else { throw mismatch(0) }
            return ONNXValue(uninitialized: type, shape: shape)
        case .raw(let range):
            guard range.upperBound <= file.count else { throw mismatch(0) }
            if type == .bool {
                let value = ONNXValue(uninitialized: .bool, shape: shape)
                guard range.count == count else { throw mismatch(range.count) }
                for i in 0..<count {
                    value.boolPointer[i] =
                        file.base.load(fromByteOffset: range.lowerBound + i, as: UInt8.self) != 0 ? 1 : 0
                }
                return value
            }
            return try fromBytes(file.base + range.lowerBound, length: range.count, owner: file)
        case .floats(let values):
            guard type == .float else { throw mismatch(0) }
            guard values.count == count else { throw mismatch(values.count) }
            return try ONNXValue(floats: values, shape: shape)
        case .int64s(let values):
            guard type == .int64 else { throw mismatch(0) }
            guard values.count == count else { throw mismatch(values.count) }
            return try ONNXValue(int64s: values, shape: shape)
        case .int32s(let values):
            guard type == .bool else { throw mismatch(0) }
            guard values.count == count else { throw mismatch(values.count) }
            return try ONNXValue(bools: values.map { $0 != 0 }, shape: shape)
        case .doubles:
            throw mismatch(0)
        case let .external(location, offset, length):
            guard let directory else {
                throw ONNXError.io(path: location, reason: "external data needs a model file on disk")
            }
            let resolved = try resolveExternal(location, in: directory)
            let mapped: MappedFile
            if let cached = externalFiles[resolved] {
                mapped = cached
            } else {
                mapped = try MappedFile(path: resolved)
                externalFiles[resolved] = mapped
            }
            let length = length ?? byteCount
            // Offset and length come from the file: compare without adding them (either may be near Int.max).
            guard offset <= mapped.count, length <= mapped.count - offset else {
                throw ONNXError.io(
                    path: resolved,
                    reason:
                        "tensor '\(t.name)': \(length) bytes at offset \(offset) run past the end of the file (\(mapped.count) bytes)"
                )
            }
            if type == .bool {
                guard length == count else { throw mismatch(length) }
                let value = ONNXValue(uninitialized: .bool, shape: shape)
                for i in 0..<count {
                    value.boolPointer[i] = mapped.base.load(fromByteOffset: offset + i, as: UInt8.self) != 0 ? 1 : 0
                }
                return value
            }
            return try fromBytes(mapped.base + offset, length: length, owner: mapped)
        }
    }

    /// A tensor's dimensions and element count, checked against ``ONNXLimits/isAcceptable(_:)`` (no negative
    /// dimension; the nonzero dimensions multiply to at most ``ONNXLimits/maximumTensorElements``).
    static func checkedShape(of t: Tensor, file: MappedFile) throws -> (shape: [Int], count: Int) {
        for d in t.dims where d < 0 {
            throw ONNXError.malformed(path: file.path, offset: 0, reason: "tensor '\(t.name)' has dimension \(d)")
        }
        let shape = t.dims.map { Int($0) }
        guard ONNXLimits.isAcceptable(shape), let count = ONNXLimits.product(shape) else {
            throw ONNXError.malformed(
                path: file.path, offset: 0,
                reason:
                    "tensor '\(t.name)' of shape \(shape) exceeds the limit of \(ONNXLimits.maximumTensorElements) elements"
            )
        }
        return (shape, count)
    }

    /// Resolves an external-data location, refusing absolute paths and anything outside `directory`.
    static func resolveExternal(_ location: String, in directory: String) throws -> String {
        guard !location.isEmpty, !location.hasPrefix("/"), !location.contains("\0") else {
            throw ONNXError.io(
                path: location, reason: "external data location must be a relative path inside the model directory")
        }
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let target = URL(fileURLWithPath: directory).appendingPathComponent(location).standardizedFileURL
            .resolvingSymlinksInPath().path
        guard target.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw ONNXError.io(path: location, reason: "external data location escapes the model directory")
        }
        return target
    }

    /// Narrow integer tensors (int8/16/32, uint8/16/32) load as int64 and float64 as float32; nil for other types.
    static func widenedValue(of t: Tensor, file: MappedFile) throws -> ONNXValue? {
        let widths: [Int: (bytes: Int, signed: Bool)] = [
            2: (1, false), 3: (1, true), 4: (2, false), 5: (2, true),
            6: (4, true), 12: (4, false), 11: (8, true),
        ]
        guard let (width, signed) = widths[t.dataType] else { return nil }
        let (shape, count) = try checkedShape(of: t, file: file)
        let isDouble = t.dataType == 11
        let out = ONNXValue(uninitialized: isDouble ? .float : .int64, shape: shape)
        func bad(_ got: Int) -> ONNXError {
            .malformed(
                path: file.path, offset: 0,
                reason: "tensor '\(t.name)' of shape \(shape) has \(got) values, expected \(count)")
        }
        switch t.data {
        case .none:
            guard count == 0 else { throw bad(0) }
        case .raw(let range):
            guard range.upperBound <= file.count, range.count == count * width else { throw bad(range.count / width) }
            let p = file.base + range.lowerBound
            for i in 0..<count {
                let o = i * width
                if isDouble {
                    out.floatPointer[i] = Float(p.loadUnaligned(fromByteOffset: o, as: Double.self))
                    continue
                }
                let v: Int64
                switch (width, signed) {
                case (1, false): v = Int64(p.load(fromByteOffset: o, as: UInt8.self))
                case (1, true): v = Int64(p.load(fromByteOffset: o, as: Int8.self))
                case (2, false): v = Int64(p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
                case (2, true): v = Int64(p.loadUnaligned(fromByteOffset: o, as: Int16.self))
                case (4, false): v = Int64(p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
                default: v = Int64(p.loadUnaligned(fromByteOffset: o, as: Int32.self))
                }
                out.int64Pointer[i] = v
            }
        case .int32s(let values):
            guard !isDouble, values.count == count else { throw bad(values.count) }
            for i in 0..<count { out.int64Pointer[i] = values[i] }
        case .doubles(let values):
            guard isDouble, values.count == count else { throw bad(values.count) }
            for i in 0..<count { out.floatPointer[i] = Float(values[i]) }
        default:
            throw ONNXError.unsupportedType(name: t.name, type: t.dataType)
        }
        return out
    }
}
