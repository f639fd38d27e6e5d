import Foundation

/// A minimal protobuf encoder for building ONNX test models by hand (field numbers from onnx.proto).
enum ProtoWriter {
    static func varint(_ value: Int64) -> [UInt8] {
        var n = UInt64(bitPattern: value)
        var out: [UInt8] = []
        while true {
            let b = UInt8(n & 0x7F)
            n >>= 7
            if n != 0 { out.append(b | 0x80) } else { out.append(b); return out }
        }
    }
    static func tag(_ field: Int, _ wire: Int) -> [UInt8] { varint(Int64(field << 3 | wire)) }
    static func bytes(_ field: Int, _ b: [UInt8]) -> [UInt8] { tag(field, 2) + varint(Int64(b.count)) + b }
    static func int(_ field: Int, _ v: Int64) -> [UInt8] { tag(field, 0) + varint(v) }
    static func string(_ field: Int, _ s: String) -> [UInt8] { bytes(field, Array(s.utf8)) }
    static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    /// A TensorProto; dims packed or one varint field per dimension.
    static func tensor(
        _ name: String, dims: [Int64], type: Int64, raw: [UInt8]? = nil, floats: [Float]? = nil,
        int64s: [Int64]? = nil, packed: Bool = true, external: [(String, String)]? = nil
    ) -> [UInt8] {
        var b = packed ? bytes(1, dims.flatMap { varint($0) }) : dims.flatMap { int(1, $0) }
        b += int(2, type) + string(8, name)
        if let raw { b += bytes(9, raw) }
        if let floats { b += bytes(4, floatBytes(floats)) }
        if let int64s { b += packed ? bytes(7, int64s.flatMap { varint($0) }) : int64s.flatMap { int(7, $0) } }
        if let external {
            for (k, v) in external { b += bytes(13, string(1, k) + string(2, v)) }
            b += int(14, 1)
        }
        return b
    }

    static func intsAttribute(_ name: String, _ values: [Int64]) -> [UInt8] {
        string(1, name) + int(20, 7) + bytes(8, values.flatMap { varint($0) })
    }

    static func node(
        _ op: String, _ inputs: [String], _ outputs: [String], attributes: [[UInt8]] = [], name: String = ""
    ) -> [UInt8] {
        inputs.flatMap { string(1, $0) } + outputs.flatMap { string(2, $0) } + string(3, name.isEmpty ? op : name)
            + string(4, op) + attributes.flatMap { bytes(5, $0) }
    }

    /// A ValueInfoProto with dims given as Int (fixed) or String (symbolic).
    static func valueInfo(_ name: String, type: Int64, dims: [Any]) -> [UInt8] {
        let shape = dims.flatMap { d -> [UInt8] in
            if let n = d as? Int { return bytes(1, int(1, Int64(n))) }
            return bytes(1, string(2, "\(d)"))
        }
        return string(1, name) + bytes(2, bytes(1, int(1, type) + bytes(2, shape)))
    }

    static func model(
        nodes: [[UInt8]], initializers: [[UInt8]], inputs: [[UInt8]], outputs: [[UInt8]], opset: Int64 = 17
    ) -> [UInt8] {
        let graph =
            nodes.flatMap { bytes(1, $0) } + string(2, "g") + initializers.flatMap { bytes(5, $0) }
            + inputs.flatMap { bytes(11, $0) } + outputs.flatMap { bytes(12, $0) }
        return int(1, 8) + string(2, "test") + bytes(7, graph) + bytes(8, int(2, opset))
    }
}
