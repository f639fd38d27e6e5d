extension GraphFusion {
    /// `MatMul(Q, Kᵀ) → [Mul|Div scalar] → [Add mask] → Softmax(last axis) → MatMul(·, V)` becomes one
    /// ``AttentionOps`` node; `Transpose`s that split heads (`[0, 2, 1, 3]` on Q and V, `[0, 2, 3, 1]` on K)
    /// and the one merging them back (`[0, 2, 1, 3]` on the output) are absorbed when nothing else reads them.
    static func fuseAttention(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
        settings: ExecutionSettings
    ) {
        let (uses, producer, consumer) = valueIndex(nodes, graphOutputs)
        func single(_ value: String) -> Int? { uses[value] == 1 ? consumer[value] : nil }
        func plain(_ i: Int, _ op: String) -> Bool {
            nodes[i].opType == op && nodes[i].domain.isEmpty && nodes[i].context != nil
        }
        func transpose(_ value: String, perm: [Int]) -> Int? {
            guard uses[value] == 1, let t = producer[value], plain(t, "Transpose"), nodes[t].inputs.count == 1,
                let p = try? nodes[t].context?.ints("perm"), p == perm
            else { return nil }
            return t
        }
        var removed = Set<Int>()
        var replacements: [Int: GraphNode] = [:]
        for (s, softmax) in nodes.enumerated() where plain(s, "Softmax") && softmax.inputs.count == 1 {
            guard let ctx = softmax.context, let axis = try? ctx.int("axis", ctx.version < 13 ? 1 : -1),
                axis == -1 || axis == 3,
                let smOut = softmax.outputs.first, let m2 = single(smOut), plain(m2, "MatMul"),
                nodes[m2].inputs.count == 2, nodes[m2].inputs[0] == smOut, nodes[m2].inputs[1] != smOut,
                uses[softmax.inputs[0]] == 1, let cur = producer[softmax.inputs[0]]
            else { continue }
            var group = [s, m2]
            typealias Scale = (node: Int, value: Float, constant: String, scoresFirst: Bool, divides: Bool)
            // From the value entering the mask Add (or the Softmax): optional scale, then the first MatMul.
            func scores(_ v: String) -> (scale: Scale?, matMul: Int)? {
                guard uses[v] == 1, let p = producer[v] else { return nil }
                if plain(p, "MatMul") { return (nil, p) }
                guard plain(p, "Mul") || plain(p, "Div"), nodes[p].inputs.count == 2 else { return nil }
                let ins = nodes[p].inputs, divides = nodes[p].opType == "Div"
                var found: (Float, String, Bool)?
                if let c = scalar(constants, ins[1]) {
                    found = (c, ins[1], true)
                } else if !divides, let c = scalar(constants, ins[0]) {
                    found = (c, ins[0], false)
                }
                guard let (c, name, first) = found else { return nil }
                let inner = first ? ins[0] : ins[1]
                guard uses[inner] == 1, let m = producer[inner], plain(m, "MatMul") else { return nil }
                return ((p, c, name, first, divides), m)
            }
            var add: (node: Int, scoresFirst: Bool, mask: String)?
            var chain = scores(softmax.inputs[0])
            if chain == nil, plain(cur, "Add"), nodes[cur].inputs.count == 2 {
                let ins = nodes[cur].inputs
                if let c = scores(ins[0]) {
                    chain = c; add = (cur, true, ins[1])
                } else if let c = scores(ins[1]) {
                    chain = c; add = (cur, false, ins[0])
                }
                group.append(cur)
            }
            guard let (scale, m1) = chain else { continue }
            if let scale { group.append(scale.node) }
            guard nodes[m1].inputs.count == 2, let m1Out = nodes[m1].outputs.first, uses[m1Out] == 1 else { continue }
            group.append(m1)
            var qName = nodes[m1].inputs[0], kName = nodes[m1].inputs[1], vName = nodes[m2].inputs[1]
            guard qName != kName, qName != vName, kName != vName else { continue }
            var query = AttentionOps.Layout.headsFirst, key = AttentionOps.KeyLayout.transposed,
                value = AttentionOps.Layout.headsFirst
            var output = AttentionOps.Layout.headsFirst
            var qT: Kernel?, kT: Kernel?, vT: Kernel?, outT: Kernel?
            if let t = transpose(qName, perm: [0, 2, 1, 3]) {
                query = .sequenceFirst; qT = nodes[t].kernel; qName = nodes[t].inputs[0]; group.append(t)
            }
            if let t = transpose(kName, perm: [0, 2, 3, 1]) {
                key = .sequenceFirst; kT = nodes[t].kernel; kName = nodes[t].inputs[0]; group.append(t)
            }
            if let t = transpose(vName, perm: [0, 2, 1, 3]) {
                value = .sequenceFirst; vT = nodes[t].kernel; vName = nodes[t].inputs[0]; group.append(t)
            }
            var finalOutputs = nodes[m2].outputs
            if let o = finalOutputs.first, let t = single(o), plain(t, "Transpose"), nodes[t].inputs == [o],
                (try? nodes[t].context?.ints("perm")) == [0, 2, 1, 3]
            {
                output = .sequenceFirst
                outT = nodes[t].kernel
                finalOutputs = nodes[t].outputs
                group.append(t)
            }
            guard Set(group).count == group.count,
                group.allSatisfy({ !removed.contains($0) && replacements[$0] == nil })
            else { continue }
            // The original chain, for shapes the fused kernel does not cover.
            let mm1 = nodes[m1].kernel, mm2 = nodes[m2].kernel, sm = softmax.kernel
            let scaleStep = scale.map { (nodes[$0.node].kernel, constants[$0.constant], $0.scoresFirst) }
            let addStep = add.map { (nodes[$0.node].kernel, $0.scoresFirst) }
            let fallback: Kernel = { inputs in
                func one(_ kernel: Kernel?, _ x: ONNXValue?) throws -> ONNXValue? {
                    guard let kernel else { return x }
                    return try kernel([x]).first
                }
                let q = try one(qT, inputs[0]), k = try one(kT, inputs[1]), v = try one(vT, inputs[2])
                var scores = try mm1([q, k]).first
                if let (kernel, c, first) = scaleStep { scores = try kernel(first ? [scores, c] : [c, scores]).first }
                if let (kernel, first) = addStep {
                    let mask = inputs.count > 3 ? inputs[3] : nil
                    scores = try kernel(first ? [scores, mask] : [mask, scores]).first
                }
                let p = try sm([scores]).first
                guard let o = try one(outT, try mm2([p, v]).first) else { return [] }
                return [o]
            }
            let pattern = AttentionOps.Pattern(
                query: query, key: key, value: value, output: output, scale: scale?.value,
                divides: scale?.divides ?? false, hasMask: add != nil, fallback: fallback)
            let fusedContext = context(
                softmax.name + "/Attention", "Attention", inputs: add == nil ? 3 : 4, settings: settings)
            let last = group.max() ?? m2
            for g in group where g != last { removed.insert(g) }
            replacements[last] = GraphNode(
                name: fusedContext.name, opType: "Attention", domain: OperatorRegistry.fusedDomain,
                inputs: [qName, kName, vName] + (add.map { [$0.mask] } ?? []), outputs: finalOutputs,
                kernel: AttentionOps.kernel(fusedContext, pattern))
        }
        for (i, n) in replacements { nodes[i] = n }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
