import Foundation

/// Decoded ONNX protobuf messages (only the fields the interpreter needs; unknown fields are skipped).
enum ONNXProto {
    struct OperatorSet: Sendable {
        var domain = ""
        var version = 0
    }

    struct Dimension: Sendable {
        var value: Int?
        var parameter: String?
    }

    struct ValueInfo: Sendable {
        var name = ""
        var elementType = 0
        var shape: [Dimension]?
    }

    /// Where a tensor's bytes live.
    enum TensorData: Sendable {
        case none
        /// A byte range of the model file (`raw_data`).
        case raw(Range<Int>)
        case floats([Float])
        case int64s([Int64])
        /// `int32_data` also carries bool, int8/16, uint8/16 and float16 bits.
        case int32s([Int64])
        case doubles([Double])
        case external(location: String, offset: Int, length: Int?)
    }

    struct Tensor: Sendable {
        var name = ""
        var dims: [Int64] = []
        var dataType = 0
        var data: TensorData = .none
        var dataLocationExternal = false
    }

    enum AttributeValue: Sendable {
        case float(Float)
        case int(Int64)
        case string([UInt8])
        case tensor(Tensor)
        case floats([Float])
        case ints([Int64])
        case strings([[UInt8]])
        case graph
        case other(Int)
    }

    struct Attribute: Sendable {
        var name = ""
        var value: AttributeValue
    }

    struct Node: Sendable {
        var name = ""
        var opType = ""
        var domain = ""
        var inputs: [String] = []
        var outputs: [String] = []
        var attributes: [Attribute] = []
    }

    struct Graph: Sendable {
        var name = ""
        var nodes: [Node] = []
        var initializers: [Tensor] = []
        var inputs: [ValueInfo] = []
        var outputs: [ValueInfo] = []
    }

    struct Model: Sendable {
        var irVersion = 0
        var producerName = ""
        var producerVersion = ""
        var opsets: [OperatorSet] = []
        var graph = Graph()
    }

    // MARK: Decoding

    static func model(_ r: inout ProtoReader) throws -> Model {
        var m = Model()
        var sawGraph = false
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.expect(wire, 0, "ir_version"); m.irVersion = try r.readInt()
            case 2: try r.expect(wire, 2, "producer_name"); m.producerName = try r.readString()
            case 3: try r.expect(wire, 2, "producer_version"); m.producerVersion = try r.readString()
            case 7:
                try r.expect(wire, 2, "graph")
                var sub = try r.readMessage()
                m.graph = try graph(&sub)
                sawGraph = true
            case 8:
                try r.expect(wire, 2, "opset_import")
                var sub = try r.readMessage()
                m.opsets.append(try operatorSet(&sub))
            default: try r.skip(wire: wire)
            }
        }
        guard sawGraph else { throw r.fail("the model has no graph") }
        return m
    }

    static func operatorSet(_ r: inout ProtoReader) throws -> OperatorSet {
        var o = OperatorSet()
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.expect(wire, 2, "domain"); o.domain = try r.readString()
            case 2: try r.expect(wire, 0, "version"); o.version = try r.readInt()
            default: try r.skip(wire: wire)
            }
        }
        return o
    }

    static func graph(_ r: inout ProtoReader) throws -> Graph {
        var g = Graph()
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wire, 2, "node")
                var sub = try r.readMessage()
                g.nodes.append(try node(&sub))
            case 2: try r.expect(wire, 2, "name"); g.name = try r.readString()
            case 5:
                try r.expect(wire, 2, "initializer")
                var sub = try r.readMessage()
                g.initializers.append(try tensor(&sub))
            case 11:
                try r.expect(wire, 2, "input")
                var sub = try r.readMessage()
                g.inputs.append(try valueInfo(&sub))
            case 12:
                try r.expect(wire, 2, "output")
                var sub = try r.readMessage()
                g.outputs.append(try valueInfo(&sub))
            case 15: throw r.fail("sparse initializers are not supported")
            default: try r.skip(wire: wire)
            }
        }
        return g
    }

    static func node(_ r: inout ProtoReader) throws -> Node {
        var n = Node()
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.expect(wire, 2, "input"); n.inputs.append(try r.readString())
            case 2: try r.expect(wire, 2, "output"); n.outputs.append(try r.readString())
            case 3: try r.expect(wire, 2, "name"); n.name = try r.readString()
            case 4: try r.expect(wire, 2, "op_type"); n.opType = try r.readString()
            case 5:
                try r.expect(wire, 2, "attribute")
                var sub = try r.readMessage()
                n.attributes.append(try attribute(&sub))
            case 7: try r.expect(wire, 2, "domain"); n.domain = try r.readString()
            default: try r.skip(wire: wire)
            }
        }
        return n
    }

    static func attribute(_ r: inout ProtoReader) throws -> Attribute {
        var name = ""
        var type = 0
        var f: Float = 0, i: Int64 = 0, s: [UInt8] = [], t: Tensor?
        var floats: [Float] = [], ints: [Int64] = [], strings: [[UInt8]] = []
        var sawGraph = false
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.expect(wire, 2, "name"); name = try r.readString()
            case 20: try r.expect(wire, 0, "type"); type = try r.readInt()
            case 2: try r.expect(wire, 5, "f"); f = try r.readFloat()
            case 3: try r.expect(wire, 0, "i"); i = try r.readInt64()
            case 4: try r.expect(wire, 2, "s"); s = try r.readBytes()
            case 5:
                try r.expect(wire, 2, "t")
                var sub = try r.readMessage()
                t = try tensor(&sub)
            case 6: try r.skip(wire: wire); sawGraph = true
            case 7: try r.readRepeatedFloat(wire: wire, into: &floats)
            case 8: try r.readRepeatedInt64(wire: wire, into: &ints)
            case 9: try r.expect(wire, 2, "strings"); strings.append(try r.readBytes())
            default: try r.skip(wire: wire)
            }
        }
        let value: AttributeValue
        switch type {
        case 1: value = .float(f)
        case 2: value = .int(i)
        case 3: value = .string(s)
        case 4:
            guard let t else { throw r.fail("attribute '\(name)' of type TENSOR has no tensor") }
            value = .tensor(t)
        case 5: value = .graph
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default: value = sawGraph ? .graph : .other(type)
        }
        return Attribute(name: name, value: value)
    }

    static func tensor(_ r: inout ProtoReader) throws -> Tensor {
        var t = Tensor()
        var floats: [Float] = [], int64s: [Int64] = [], int32s: [Int64] = [], doubles: [Double] = []
        var raw: Range<Int>?
        var external: [String: String] = [:]
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.readRepeatedInt64(wire: wire, into: &t.dims)
            case 2: try r.expect(wire, 0, "data_type"); t.dataType = try r.readInt()
            case 4: try r.readRepeatedFloat(wire: wire, into: &floats)
            case 5: try r.readRepeatedInt64(wire: wire, into: &int32s)
            case 7: try r.readRepeatedInt64(wire: wire, into: &int64s)
            case 8: try r.expect(wire, 2, "name"); t.name = try r.readString()
            case 9: try r.expect(wire, 2, "raw_data"); raw = try r.readLengthDelimited()
            case 10: try r.readRepeatedDouble(wire: wire, into: &doubles)
            case 13:
                try r.expect(wire, 2, "external_data")
                var sub = try r.readMessage()
                var key = "", value = ""
                while !sub.isAtEnd {
                    let (f2, w2) = try sub.readTag()
                    switch f2 {
                    case 1: try sub.expect(w2, 2, "key"); key = try sub.readString()
                    case 2: try sub.expect(w2, 2, "value"); value = try sub.readString()
                    default: try sub.skip(wire: w2)
                    }
                }
                external[key] = value
            case 14: try r.expect(wire, 0, "data_location"); t.dataLocationExternal = try r.readInt() == 1
            default: try r.skip(wire: wire)
            }
        }
        if t.dataLocationExternal {
            guard let location = external["location"] else {
                throw r.fail("tensor '\(t.name)': external data without a location")
            }
            let offset = Int(external["offset"] ?? "0") ?? -1
            let length = external["length"].map { Int($0) ?? -1 }
            guard offset >= 0, (length ?? 0) >= 0 else {
                throw r.fail("tensor '\(t.name)': invalid external data offset/length")
            }
            t.data = .external(location: location, offset: offset, length: length)
        } else if let raw {
            t.data = .raw(raw)
        } else if !floats.isEmpty {
            t.data = .floats(floats)
        } else if !int64s.isEmpty {
            t.data = .int64s(int64s)
        } else if !int32s.isEmpty {
            t.data = .int32s(int32s)
        } else if !doubles.isEmpty {
            t.data = .doubles(doubles)
        }
        return t
    }

    static func valueInfo(_ r: inout ProtoReader) throws -> ValueInfo {
        var v = ValueInfo()
        while !r.isAtEnd {
            let (field, wire) = try r.readTag()
            switch field {
            case 1: try r.expect(wire, 2, "name"); v.name = try r.readString()
            case 2:
                try r.expect(wire, 2, "type")
                var type = try r.readMessage()
                while !type.isAtEnd {
                    let (tf, tw) = try type.readTag()
                    guard tf == 1 else { try type.skip(wire: tw); continue }
                    try type.expect(tw, 2, "tensor_type")
                    var tt = try type.readMessage()
                    while !tt.isAtEnd {
                        let (f, w) = try tt.readTag()
                        switch f {
                        case 1: try tt.expect(w, 0, "elem_type"); v.elementType = try tt.readInt()
                        case 2:
                            try tt.expect(w, 2, "shape")
                            var shape = try tt.readMessage()
                            var dims: [Dimension] = []
                            while !shape.isAtEnd {
                                let (sf, sw) = try shape.readTag()
                                guard sf == 1 else { try shape.skip(wire: sw); continue }
                                try shape.expect(sw, 2, "dim")
                                var dim = try shape.readMessage()
                                var d = Dimension()
                                while !dim.isAtEnd {
                                    let (df, dw) = try dim.readTag()
                                    switch df {
                                    case 1: try dim.expect(dw, 0, "dim_value"); d.value = try dim.readInt()
                                    case 2: try dim.expect(dw, 2, "dim_param"); d.parameter = try dim.readString()
                                    default: try dim.skip(wire: dw)
                                    }
                                }
                                dims.append(d)
                            }
                            v.shape = dims
                        default: try tt.skip(wire: w)
                        }
                    }
                }
            default: try r.skip(wire: wire)
            }
        }
        return v
    }
}
