import PixelONNX
import PixelTensor

extension TransformerBlockPattern {
    /// Every post-LN transformer block of `graph` (BERT, MiniLM, MPNet, RoBERTa exports), in order, each
    /// reading the previous one's output:
    ///
    /// ```
    /// h ─┬─ MatMul+Add (q) ─ Reshape/Transpose [·scale] ─┐
    ///    ├─ MatMul+Add (k) ─ Reshape/Transpose [·scale] ─ MatMul [·scale] [+ mask] ─ Softmax ─┐
    ///    ├─ MatMul+Add (v) ─ Reshape/Transpose ─────────────────────────────────────────── MatMul
    ///    │     ─ Transpose/Reshape ─ MatMul+Add (out) ─ Add(h) ─ LayerNormalization = a
    /// a ─ MatMul+Add ─ erf GELU ─ MatMul+Add ─ Add(a) ─ LayerNormalization = block output
    /// ```
    ///
    /// The head count follows from the attention scale (`1/√d`, the product of every scalar Mul/Div on the
    /// score path), the head layout from the Transposes (`[0,2,1,3]` for q, v and the context, `[0,2,3,1]`
    /// for k); the mask must be computed from the `attention_mask` input alone (a key padding mask).
    /// - Throws: ``EncoderError/unsupportedGraph(path:node:pattern:)`` naming the node where the pattern
    ///   broke (of the last LayerNormalization tried) when no block matches, or when blocks do not chain.
    public static func blocks(in graph: ONNXGraph) throws -> [TransformerBlockPattern] {
        let index = GraphIndex(graph)
        var found: [TransformerBlockPattern] = []
        var lastMismatch = PatternMismatch(
            node: "-", pattern: "no LayerNormalization node (a transformer block ends in one)")
        for node in graph.nodes where node.opType == "LayerNormalization" && node.domain.isEmpty {
            guard let output = node.outputs.first else { continue }
            do {
                found.append(try index.postNormBlock(endingAt: output))
            } catch let mismatch as PatternMismatch {
                lastMismatch = mismatch
            }
        }
        guard !found.isEmpty else {
            throw EncoderError.unsupportedGraph(
                path: graph.path, node: lastMismatch.node,
                pattern: "no post-LN transformer block: \(lastMismatch.pattern)")
        }
        for k in found.indices.dropFirst() where found[k].input != found[k - 1].output {
            throw EncoderError.unsupportedGraph(
                path: graph.path, node: found[k].query.node,
                pattern: "block \(k) reads '\(found[k].input)', not block \(k - 1)'s output '\(found[k - 1].output)'")
        }
        return found
    }
}

extension GraphIndex {
    /// The post-LN block whose last LayerNormalization produces `output`.
    func postNormBlock(endingAt output: String) throws -> TransformerBlockPattern {
        let (sum2, outputNorm) = try layerNorm(producing: output, width: nil, context: "block output")
        let e = outputNorm.weight.count
        let add2 = try expect(sum2, "Add", inputs: 2, "feed-forward residual")
        return try eitherOrder(add2.inputs) { ffn, a in
            let (g, w2) = try linear(producing: ffn, inputSize: nil, context: "feed-forward output")
            let f = try erfGelu(producing: g, context: "feed-forward activation")
            let (a1, w1) = try linear(producing: f, inputSize: e, context: "feed-forward intermediate")
            guard a1 == a, w2.weight.shape == [e, w1.weight.shape[0]] else {
                throw PatternMismatch(
                    node: w1.node,
                    pattern:
                        "feed-forward \(w1.weight.shape), \(w2.weight.shape) does not read the residual '\(a)' of width \(e)"
                )
            }
            let (sum1, attentionNorm) = try layerNorm(producing: a, width: e, context: "attention output")
            let add1 = try expect(sum1, "Add", inputs: 2, "attention residual")
            return try eitherOrder(add1.inputs) { o, h in
                let (c, wo) = try linear(producing: o, inputSize: e, context: "attention output projection")
                let (q, k, v, heads) = try selfAttention(producing: c, input: h, width: e)
                for w in [q, k, v, wo] where w.weight.shape != [e, e] {
                    throw PatternMismatch(
                        node: w.node, pattern: "attention projection \(w.weight.shape), expected [\(e), \(e)]")
                }
                return TransformerBlockPattern(
                    input: h, output: output, query: q, key: k, value: v, attentionOutput: wo,
                    attentionNorm: attentionNorm, intermediate: w1, feedForwardOutput: w2, outputNorm: outputNorm,
                    heads: heads)
            }
        }
    }

    /// `body(x, y)` then `body(y, x)`; the first error when both fail.
    private func eitherOrder<T>(_ pair: [String], _ body: (String, String) throws -> T) throws -> T {
        do {
            return try body(pair[0], pair[1])
        } catch let first {
            if let second = try? body(pair[1], pair[0]) { return second }
            throw first
        }
    }

    /// Walks back from `value` over Reshape/Transpose/Identity (and scalar Mul/Div, multiplied into `scale`
    /// when it is given) and returns the value reached and the composed Transpose permutation (forward
    /// order: `out.shape[i] = in.shape[perm[i]]`), nil when there is no Transpose.
    private func throughLayout(_ value: String, scale: UnsafeMutablePointer<Float>?) -> (String, [Int]?) {
        var v = value
        var perm: [Int]?
        while let n = producer(v), n.domain.isEmpty, !n.inputs.isEmpty {
            switch n.opType {
            case "Reshape", "Identity":
                v = n.inputs[0]
            case "Transpose":
                guard case .ints(let p)? = n.attributes["perm"] else { return (v, perm) }
                let t = p.map { Int($0) }
                let current = perm ?? Array(0..<t.count)
                guard current.count == t.count, t.allSatisfy({ $0 >= 0 && $0 < t.count }) else { return (v, perm) }
                perm = current.map { t[$0] }
                v = n.inputs[0]
            case "Mul", "Div":
                guard let scale, n.inputs.count == 2 else { return (v, perm) }
                if let c = self.scalar(n.inputs[1]), c != 0, c.isFinite {
                    scale.pointee *= n.opType == "Mul" ? c : 1 / c
                    v = n.inputs[0]
                } else if n.opType == "Mul", let c = self.scalar(n.inputs[0]), c.isFinite {
                    scale.pointee *= c
                    v = n.inputs[1]
                } else {
                    return (v, perm)
                }
            default:
                return (v, perm)
            }
        }
        return (v, perm)
    }

    /// Scaled dot-product self-attention over `input` whose context (heads merged) is `context`.
    private func selfAttention(producing context: String, input h: String, width e: Int) throws -> (
        TransformerBlockPattern.LinearWeights, TransformerBlockPattern.LinearWeights,
        TransformerBlockPattern.LinearWeights, Int
    ) {
        let (merged, outPerm) = throughLayout(context, scale: nil)
        let m2 = try expect(merged, "MatMul", inputs: 2, "attention context (heads merged by Transpose/Reshape)")
        guard outPerm == [0, 2, 1, 3] else {
            throw PatternMismatch(
                node: m2.name, pattern: "attention context transposed by \(outPerm ?? []), not [0, 2, 1, 3]")
        }
        let softmax = try expect(m2.inputs[0], "Softmax", "attention weights")
        if let axis = softmax.attributes["axis"], axis != .int(-1), axis != .int(3) {
            throw PatternMismatch(node: softmax.name, pattern: "Softmax over axis \(axis), not the keys")
        }
        var scale: Float = 1
        var scores = softmax.inputs[0]
        var mask: String?
        if let add = producer(scores), add.opType == "Add", add.inputs.count == 2 {
            let first = withUnsafeMutablePointer(to: &scale) { throughLayout(add.inputs[0], scale: $0).0 }
            let isScores = producer(first)?.opType == "MatMul"
            scores = isScores ? add.inputs[0] : add.inputs[1]
            mask = isScores ? add.inputs[1] : add.inputs[0]
            scale = 1
        }
        guard let mask else {
            throw PatternMismatch(
                node: softmax.name, pattern: "attention without a padding mask Add before the Softmax")
        }
        let maskInputs = dataInputs(of: mask)
        guard maskInputs == ["attention_mask"] else {
            throw PatternMismatch(
                node: producer(mask)?.name ?? mask,
                pattern:
                    "attention mask computed from \(maskInputs.sorted()), expected attention_mask alone (a key padding mask)"
            )
        }
        let (s, _) = withUnsafeMutablePointer(to: &scale) { throughLayout(scores, scale: $0) }
        let m1 = try expect(s, "MatMul", inputs: 2, "attention scores")
        let (qValue, qPerm) = withUnsafeMutablePointer(to: &scale) { throughLayout(m1.inputs[0], scale: $0) }
        let (kValue, kPerm) = withUnsafeMutablePointer(to: &scale) { throughLayout(m1.inputs[1], scale: $0) }
        let (vValue, vPerm) = throughLayout(m2.inputs[1], scale: nil)
        for (name, perm, expected) in [
            ("query", qPerm, [0, 2, 1, 3]), ("key", kPerm, [0, 2, 3, 1]), ("value", vPerm, [0, 2, 1, 3]),
        ] where perm != expected {
            throw PatternMismatch(
                node: m1.name, pattern: "attention \(name) heads transposed by \(perm ?? []), expected \(expected)")
        }
        let (qIn, q) = try linear(producing: qValue, inputSize: e, context: "attention query")
        let (kIn, k) = try linear(producing: kValue, inputSize: e, context: "attention key")
        let (vIn, v) = try linear(producing: vValue, inputSize: e, context: "attention value")
        guard qIn == h, kIn == h, vIn == h else {
            throw PatternMismatch(node: q.node, pattern: "query, key and value do not all read the block input '\(h)'")
        }
        guard scale > 0, scale.isFinite else {
            throw PatternMismatch(node: m1.name, pattern: "attention scale \(scale) is not 1/√d")
        }
        let d = Int((1 / (scale * scale)).rounded())
        guard d > 0, d <= e, e % d == 0, abs(scale * Float(d).squareRoot() - 1) < 1e-3 else {
            throw PatternMismatch(
                node: m1.name, pattern: "attention scale \(scale) is not 1/√d for a head size d dividing \(e)")
        }
        return (q, k, v, e / d)
    }

    /// The graph inputs whose values (not only shapes) `value` depends on.
    func dataInputs(of value: String) -> Set<String> {
        var found = Set<String>(), seen = Set<String>()
        var pending = [value]
        let inputs = Set(graph.inputs)
        while let v = pending.popLast() {
            guard seen.insert(v).inserted else { continue }
            if inputs.contains(v) { found.insert(v); continue }
            guard let n = producer(v), n.opType != "Shape", n.opType != "Size" else { continue }
            pending.append(contentsOf: n.inputs.filter { !$0.isEmpty })
        }
        return found
    }
}
