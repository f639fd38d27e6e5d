// Structure-aware mutation of ONNX models: decode the protobuf along the ONNX schema (field numbers from
// onnx.proto), set one attribute, initializer or shape field to an extreme value, and encode it again with
// every enclosing length recomputed.

/// The ONNX message types the mutator descends into.
enum MessageKind {
    case model, graph, node, attribute, tensor, valueInfo, typeProto, tensorType, shape, dimension, entry, opset

    /// The message type of a length-delimited field, or nil for strings, bytes and packed lists.
    func child(_ field: Int) -> MessageKind? {
        switch (self, field) {
        case (.model, 7): return .graph
        case (.model, 8): return .opset
        case (.graph, 1): return .node
        case (.graph, 5): return .tensor
        case (.graph, 11), (.graph, 12), (.graph, 13): return .valueInfo
        case (.node, 5): return .attribute
        case (.attribute, 5): return .tensor
        case (.tensor, 13): return .entry
        case (.valueInfo, 2): return .typeProto
        case (.typeProto, 1): return .tensorType
        case (.tensorType, 2): return .shape
        case (.shape, 1): return .dimension
        default: return nil
        }
    }

    /// Packed varint lists: attribute `ints`, tensor `dims`, `int32_data`, `int64_data`.
    func isPackedVarints(_ field: Int) -> Bool {
        switch (self, field) {
        case (.attribute, 8), (.tensor, 1), (.tensor, 5), (.tensor, 7): return true
        default: return false
        }
    }

    /// Packed float lists: attribute `floats`, tensor `float_data`.
    func isPackedFloats(_ field: Int) -> Bool {
        switch (self, field) {
        case (.attribute, 7), (.tensor, 4): return true
        default: return false
        }
    }
}

/// A decoded protobuf field.
indirect enum ProtoField {
    case varint(Int, UInt64)
    case fixed32(Int, UInt32)
    case fixed64(Int, UInt64)
    case bytes(Int, [UInt8])
    case message(Int, MessageKind, [ProtoField])
}

enum ONNXMutator {
    /// SplitMix64: deterministic for a given libFuzzer seed.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
        mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    }

    /// Integers at the edges: sizes, counts, axes, offsets and their overflow points.
    static let extremeInts: [Int64] = [
        0, -1, 1, 2, 3, -2, 65_535, 65_536, 65_537, 1 << 31, (1 << 31) - 1, -(1 << 31), 1 << 32, 1 << 40, 1 << 62,
        -(1 << 62), .max, .min, .max - 1, .min + 1,
    ]
    static let extremeFloats: [Float] = [
        .nan, .infinity, -.infinity, 0, -0.0, 1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNonzeroMagnitude, 1e-30, 0.5, 2, -1, 4_294_967_296,
    ]

    // MARK: Decoding and encoding

    static func decode(_ bytes: ArraySlice<UInt8>, as kind: MessageKind, depth: Int = 0) -> [ProtoField]? {
        guard depth < 16 else { return nil }
        var fields: [ProtoField] = []
        var i = bytes.startIndex
        func varint() -> UInt64? {
            var result: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.endIndex, shift < 64 {
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }
        while i < bytes.endIndex {
            guard let key = varint(), key >> 3 > 0, key >> 3 < 1 << 29 else { return nil }
            let field = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let v = varint() else { return nil }
                fields.append(.varint(field, v))
            case 1:
                guard bytes.endIndex - i >= 8 else { return nil }
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                i += 8
                fields.append(.fixed64(field, v))
            case 5:
                guard bytes.endIndex - i >= 4 else { return nil }
                var v: UInt32 = 0
                for k in 0..<4 { v |= UInt32(bytes[i + k]) << (8 * UInt32(k)) }
                i += 4
                fields.append(.fixed32(field, v))
            case 2:
                guard let n = varint(), n <= UInt64(bytes.endIndex - i) else { return nil }
                let body = bytes[i..<(i + Int(n))]
                i += Int(n)
                if let child = kind.child(field), let sub = decode(body, as: child, depth: depth + 1) {
                    fields.append(.message(field, child, sub))
                } else {
                    fields.append(.bytes(field, Array(body)))
                }
            default:
                return nil
            }
        }
        return fields
    }

    static func varintBytes(_ value: UInt64) -> [UInt8] {
        var n = value
        var out: [UInt8] = []
        while true {
            let b = UInt8(n & 0x7F)
            n >>= 7
            if n != 0 { out.append(b | 0x80) } else { out.append(b); return out }
        }
    }

    static func encode(_ fields: [ProtoField]) -> [UInt8] {
        var out: [UInt8] = []
        for f in fields {
            switch f {
            case let .varint(n, v): out += varintBytes(UInt64(n << 3)) + varintBytes(v)
            case let .fixed32(n, v):
                out += varintBytes(UInt64(n << 3 | 5)) + (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
            case let .fixed64(n, v):
                out += varintBytes(UInt64(n << 3 | 1)) + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
            case let .bytes(n, b): out += varintBytes(UInt64(n << 3 | 2)) + varintBytes(UInt64(b.count)) + b
            case let .message(n, _, sub):
                let body = encode(sub)
                out += varintBytes(UInt64(n << 3 | 2)) + varintBytes(UInt64(body.count)) + body
            }
        }
        return out
    }

    static func packedVarints(_ b: [UInt8]) -> [Int64]? {
        var out: [Int64] = []
        var i = 0
        while i < b.count {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < b.count, shift < 64 else { return nil }
                let byte = b[i]
                i += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            out.append(Int64(bitPattern: result))
        }
        return out
    }

    // MARK: Mutation

    /// A mutation site: the path of field indices from the root to a field, and what kind of field it is.
    enum Site { case varint, fixed32, packedVarints, packedFloats, rawData, bytes }

    static func sites(_ fields: [ProtoField], _ kind: MessageKind, _ path: [Int], into out: inout [([Int], Site)]) {
        for (k, f) in fields.enumerated() {
            let here = path + [k]
            switch f {
            case .varint: out.append((here, .varint))
            case .fixed32: out.append((here, .fixed32))
            case .fixed64: break
            case let .bytes(n, _):
                if kind.isPackedVarints(n) {
                    out.append((here, .packedVarints))
                } else if kind.isPackedFloats(n) {
                    out.append((here, .packedFloats))
                } else if kind == .tensor && n == 9 {
                    out.append((here, .rawData))
                } else if kind == .entry || (kind == .attribute && n == 4) {
                    out.append((here, .bytes))
                }
            case let .message(_, child, sub): sites(sub, child, here, into: &out)
            }
        }
    }

    static func extremeInt(_ r: inout Random) -> Int64 {
        r.below(8) == 0 ? Int64(bitPattern: r.next()) : r.pick(extremeInts)
    }

    static func extremeFloat(_ r: inout Random) -> Float {
        r.below(8) == 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: r.next())) : r.pick(extremeFloats)
    }

    static func packedInts(_ values: [Int64]) -> [UInt8] { values.flatMap { varintBytes(UInt64(bitPattern: $0)) } }

    static func mutated(_ field: ProtoField, _ site: Site, _ r: inout Random) -> ProtoField {
        switch (field, site) {
        case let (.varint(n, _), _):
            return .varint(n, UInt64(bitPattern: extremeInt(&r)))
        case let (.fixed32(n, _), _):
            return .fixed32(n, extremeFloat(&r).bitPattern)
        case let (.bytes(n, b), .packedVarints):
            var values = packedVarints(b) ?? []
            switch r.below(5) {
            case 0: values = [Int64](repeating: extremeInt(&r), count: r.pick([1, 7, 64, 1000]))
            case 1: values.append(extremeInt(&r))
            case 2: values = values.isEmpty ? [] : Array(values.dropLast())
            default:
                if values.isEmpty { values = [extremeInt(&r)] } else { values[r.below(values.count)] = extremeInt(&r) }
            }
            return .bytes(n, packedInts(values))
        case let (.bytes(n, b), .packedFloats):
            var values = stride(from: 0, to: b.count - b.count % 4, by: 4).map { i in
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[i + $1]) << (8 * UInt32($1)) })
            }
            switch r.below(4) {
            case 0: values = [Float](repeating: extremeFloat(&r), count: r.pick([1, 7, 64, 1000]))
            case 1: values.append(extremeFloat(&r))
            default:
                if values.isEmpty {
                    values = [extremeFloat(&r)]
                } else {
                    values[r.below(values.count)] = extremeFloat(&r)
                }
            }
            return .bytes(
                n, values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } })
        case let (.bytes(n, b), .rawData):
            var bytes = b
            // Overwrite one aligned element with an extreme int64 or float bit pattern, or change the length.
            switch r.below(4) {
            case 0:
                bytes =
                    r.below(2) == 0
                    ? Array(bytes.dropLast(r.below(8) + 1)) : bytes + [UInt8](repeating: 0xFF, count: r.below(8) + 1)
            case 1 where bytes.count >= 4:
                let at = r.below(bytes.count / 4) * 4
                let v = extremeFloat(&r).bitPattern
                for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            default:
                guard bytes.count >= 8 else { return .bytes(n, bytes + [0]) }
                let at = r.below(bytes.count / 8) * 8
                let v = UInt64(bitPattern: extremeInt(&r))
                for k in 0..<8 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            }
            return .bytes(n, bytes)
        case let (.bytes(n, _), .bytes):
            // External-data values (offset, length, location) and string attributes.
            let choices = [
                "\(Int64.max)", "\(Int64.min)", "-1", "0", "\(1 << 62)", "\(UInt64.max)", "nan", "", "../x",
                "/etc/passwd",
            ]
            return .bytes(n, Array(r.pick(choices).utf8))
        default:
            return field
        }
    }

    static func replacing(_ fields: [ProtoField], at path: ArraySlice<Int>, _ r: inout Random, _ site: Site)
        -> [ProtoField]
    {
        guard let k = path.first, k < fields.count else { return fields }
        var out = fields
        if path.count == 1 {
            out[k] = mutated(fields[k], site, &r)
        } else if case let .message(n, kind, sub) = fields[k] {
            out[k] = .message(n, kind, replacing(sub, at: path.dropFirst(), &r, site))
        }
        return out
    }

    /// One to three field mutations of `bytes` decoded as a ModelProto, or nil when it does not decode.
    static func mutate(_ bytes: [UInt8], _ r: inout Random) -> [UInt8]? {
        guard var fields = decode(bytes[...], as: .model) else { return nil }
        var all: [([Int], Site)] = []
        sites(fields, .model, [], into: &all)
        guard !all.isEmpty else { return nil }
        for _ in 0...r.below(3) {
            let (path, site) = r.pick(all)
            fields = replacing(fields, at: path[...], &r, site)
        }
        return encode(fields)
    }
}
