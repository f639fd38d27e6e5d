import PixelCluster
import PixelNN
import PixelTensor

/// What one shard's forward pass hands to the batch-level loss, as plain values (no autograd graph):
/// its outputs and its batch-norm statistics. Exchanged between ranks bit for bit.
struct ShardSummary {
    var vectors: Tensor
    var vision: Tensor?
    var text: Tensor?
    var pairLogits: Tensor?
    /// ``BatchStatistics/recordedValues`` of the shard's forward pass.
    var statistics: [(mean: Tensor, variance: Tensor)]

    init(_ outputs: ShardOutputs, statistics: BatchStatistics) {
        vectors = outputs.vectors.detached()
        vision = outputs.vision?.detached()
        text = outputs.text?.detached()
        pairLogits = outputs.pairLogits?.detached()
        self.statistics = statistics.recordedValues
    }

    init(
        vectors: Tensor, vision: Tensor?, text: Tensor?, pairLogits: Tensor?,
        statistics: [(mean: Tensor, variance: Tensor)]
    ) {
        self.vectors = vectors
        self.vision = vision
        self.text = text
        self.pairLogits = pairLogits
        self.statistics = statistics
    }

    func encode(_ w: inout ByteWriter) {
        w.tensor(vectors)
        for optional in [vision, text, pairLogits] { w.optionalTensor(optional) }
        w.int(statistics.count)
        for s in statistics {
            w.tensor(s.mean)
            w.tensor(s.variance)
        }
    }

    static func decode(_ r: inout ByteReader) throws(ClusterError) -> ShardSummary {
        let vectors = try r.tensor()
        let vision = try r.optionalTensor(), text = try r.optionalTensor(), logits = try r.optionalTensor()
        let count = try r.count(width: 16)
        var statistics: [(mean: Tensor, variance: Tensor)] = []
        for _ in 0..<count { statistics.append((try r.tensor(), try r.tensor())) }
        return ShardSummary(vectors: vectors, vision: vision, text: text, pairLogits: logits, statistics: statistics)
    }
}

/// A shard's parameter gradients keyed by the index of the parameter in the model's
/// `namedParameters()` (the same list on every rank), dense or sparse rows as the backward pass made them.
enum GradientPayload {
    static func encode(_ gradients: Gradients, parameters: [(String, Parameter)], into w: inout ByteWriter) {
        let present = parameters.indices.filter { gradients[parameters[$0].1] != nil }
        w.int(present.count)
        for k in present {
            w.int(k)
            switch gradients[parameters[k].1] {
            case .dense(let t)?:
                w.int(0)
                w.tensor(t)
            case .rows(let rows)?:
                w.int(1)
                w.int(rows.rowCount)
                w.int32s(rows.indices)
                w.tensor(rows.values)
            case nil: break
            }
        }
    }

    /// - Throws: ``ClusterError/malformedPayload(rank:reason:)`` for an index out of order or range, a
    ///   shape that is not the parameter's, or a row outside its table.
    static func decode(_ r: inout ByteReader, parameters: [(String, Parameter)]) throws(ClusterError) -> Gradients {
        var gradients = Gradients()
        let count = try r.count(width: 16)
        var previous = -1
        for _ in 0..<count {
            let k = try r.int()
            guard k > previous, k < parameters.count else { throw r.fail("gradient index \(k) out of order") }
            previous = k
            let (name, parameter) = parameters[k]
            let shape = parameter.value.shape
            switch try r.int() {
            case 0:
                let t = try r.tensor()
                guard t.shape == shape else { throw r.fail("\(name): gradient shape \(t.shape), expected \(shape)") }
                gradients[parameter] = .dense(t)
            case 1:
                let rowCount = try r.int()
                let indices = try r.int32s()
                let values = try r.tensor()
                guard shape.count == 2, rowCount == shape[0], values.shape == [indices.count, shape[1]],
                    indices.allSatisfy({ $0 >= 0 && Int($0) < rowCount })
                else { throw r.fail("\(name): sparse rows do not fit the table \(shape)") }
                gradients[parameter] = .rows(SparseRows(indices: indices, values: values, rowCount: rowCount))
            default:
                throw r.fail("\(name): unknown gradient kind")
            }
        }
        return gradients
    }
}

extension ByteWriter {
    /// Shape, then values.
    mutating func tensor(_ t: Tensor) {
        int32s(t.shape.map { Int32(clamping: $0) })
        t.withUnsafeBufferPointer { floats($0) }
    }

    mutating func optionalTensor(_ t: Tensor?) {
        int(t == nil ? 0 : 1)
        if let t { tensor(t) }
    }
}

extension ByteReader {
    mutating func tensor() throws(ClusterError) -> Tensor {
        let shape = try int32s().map(Int.init)
        let values = try floats()
        var product = 1
        for d in shape {
            guard d >= 0 else { throw fail("negative tensor dimension") }
            let (next, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("tensor shape overflows") }
            product = next
        }
        guard product == values.count else { throw fail("tensor shape \(shape) for \(values.count) values") }
        return Tensor(shape: shape, scalars: values)
    }

    mutating func optionalTensor() throws(ClusterError) -> Tensor? {
        switch try int() {
        case 0: return nil
        case 1: return try tensor()
        default: throw fail("bad optional tensor flag")
        }
    }
}
