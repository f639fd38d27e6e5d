/// Pattern fusions on the prepared graph; each replacement computes the same function as the nodes it
/// replaces (tests compare fused and unfused runs).
///
/// - `MatMul(X, W) → Add(·, b)` with constant 2-D `W` and 1-D `b` → `Linear` (one sgemm, bias preloaded),
///   taking in a following `Gelu` (fused first) as its epilogue.
/// - `Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5)` (and the `Mul(x, 0.5)` first variant) → `Gelu`.
/// - `MatMul(Q, Kᵀ) → scale → + mask → Softmax → MatMul(·, V)` → `Attention` (GraphFusion+Attention.swift).
enum GraphFusion {
    static func apply(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
        settings: ExecutionSettings, attention: Bool = true
    ) {
        fuseGelu(&nodes, constants: constants, graphOutputs: graphOutputs, settings: settings)
        fuseLinear(&nodes, constants: constants, graphOutputs: graphOutputs, settings: settings)
        fuseConvActivation(&nodes, constants: constants, graphOutputs: graphOutputs)
        if attention { fuseAttention(&nodes, constants: constants, graphOutputs: graphOutputs, settings: settings) }
    }

    /// `Conv → Clip(min, max constant)` or `Conv → Relu` becomes a Conv that clamps its fresh output in place.
    static func fuseConvActivation(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>
    ) {
        let uses = useCounts(nodes, graphOutputs)
        var consumer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for input in n.inputs where !input.isEmpty { consumer[input] = i } }
        var removed = Set<Int>()
        for (i, conv) in nodes.enumerated() where conv.opType == "Conv" && conv.domain.isEmpty {
            guard let out = conv.outputs.first, uses[out] == 1, let j = consumer[out], !removed.contains(j) else {
                continue
            }
            let act = nodes[j]
            guard act.domain.isEmpty, act.inputs.first == out, let actContext = act.context else { continue }
            var lo = -Float.infinity, hi = Float.infinity
            if act.opType == "Relu" {
                lo = 0
            } else if act.opType == "Clip" {
                if actContext.version >= 11 {
                    if act.inputs.count > 1, !act.inputs[1].isEmpty {
                        guard let v = constants[act.inputs[1]], v.elementType == .float, v.count == 1 else { continue }
                        lo = v.floatPointer[0]
                    }
                    if act.inputs.count > 2, !act.inputs[2].isEmpty {
                        guard let v = constants[act.inputs[2]], v.elementType == .float, v.count == 1 else { continue }
                        hi = v.floatPointer[0]
                    }
                } else {
                    guard let l = try? actContext.float("min", -.greatestFiniteMagnitude),
                        let h = try? actContext.float("max", .greatestFiniteMagnitude)
                    else { continue }
                    lo = l
                    hi = h
                }
            } else {
                continue
            }
            guard let convContext = conv.context else { continue }
            var attributes = convContext.attributes
            attributes[ConvOps.clampMinKey] = .float(lo)
            attributes[ConvOps.clampMaxKey] = .float(hi)
            let ctx = NodeContext(
                name: conv.name + "+" + act.name, opType: "Conv", domain: "", version: convContext.version,
                attributes: attributes, tensorAttributes: convContext.tensorAttributes,
                inputCount: convContext.inputCount, outputCount: 1, settings: convContext.settings)
            guard let kernel = try? ConvOps.conv(ctx) else { continue }
            var fused = conv
            fused.name = ctx.name
            fused.outputs = act.outputs
            fused.kernel = kernel
            fused.context = ctx
            nodes[j] = fused
            removed.insert(i)
        }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// `Pad(x, zeros on N and C, constant 0) → Conv` becomes one Conv with the padding added to its `pads`.
    static func fusePadIntoConv(_ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>) {
        let uses = useCounts(nodes, graphOutputs)
        var consumers: [String: [Int]] = [:]
        for (i, n) in nodes.enumerated() {
            for input in n.inputs where !input.isEmpty { consumers[input, default: []].append(i) }
        }
        var removed = Set<Int>()
        for (p, pad) in nodes.enumerated() where pad.opType == "Pad" && pad.domain.isEmpty {
            guard let ctx = pad.context, ctx.version >= 11, (try? ctx.string("mode", "constant")) == "constant",
                pad.inputs.count >= 2, let padsValue = constants[pad.inputs[1]], padsValue.elementType == .int64,
                let out = pad.outputs.first, !out.isEmpty
            else { continue }
            if pad.inputs.count >= 3, !pad.inputs[2].isEmpty {
                guard let v = constants[pad.inputs[2]], v.count == 1, v.floats[0] == 0 else { continue }
            }
            if pad.inputs.count >= 4, !pad.inputs[3].isEmpty { continue }
            let pads = padsValue.int64s.map { Int($0) }
            let r = pads.count / 2
            guard r >= 3, pads.count == 2 * r, pads.allSatisfy({ $0 >= 0 }), pads[0] == 0, pads[1] == 0, pads[r] == 0,
                pads[r + 1] == 0,
                let users = consumers[out], users.count == uses[out]
            else { continue }
            let convs = users.compactMap { i -> (Int, NodeContext)? in
                let n = nodes[i]
                guard n.opType == "Conv", n.domain.isEmpty, n.inputs.first == out,
                    n.inputs.dropFirst().allSatisfy({ $0 != out }),
                    let c = n.context, (try? c.string("auto_pad", "NOTSET")) == "NOTSET"
                else { return nil }
                return (i, c)
            }
            guard convs.count == users.count else { continue }
            var rebuilt: [(Int, GraphNode)] = []
            for (i, c) in convs {
                let spatial = r - 2
                let old = (try? c.ints("pads")) ?? nil ?? [Int](repeating: 0, count: 2 * spatial)
                guard old.count == 2 * spatial else { break }
                var merged = old
                var overflow = false
                for k in 0..<spatial {
                    let (lo, o1) = merged[k].addingReportingOverflow(pads[2 + k])
                    let (hi, o2) = merged[spatial + k].addingReportingOverflow(pads[r + 2 + k])
                    merged[k] = lo
                    merged[spatial + k] = hi
                    overflow = overflow || o1 || o2
                }
                guard !overflow else { break }
                var attributes = c.attributes
                attributes["pads"] = .ints(merged.map { Int64($0) })
                let ctx2 = NodeContext(
                    name: c.name, opType: c.opType, domain: c.domain, version: c.version, attributes: attributes,
                    tensorAttributes: c.tensorAttributes, inputCount: c.inputCount, outputCount: c.outputCount,
                    settings: c.settings)
                guard let kernel = try? ConvOps.conv(ctx2) else { break }
                var node = nodes[i]
                node.inputs[0] = pad.inputs[0]
                node.kernel = kernel
                node.context = ctx2
                node.name = pad.name + "+" + node.name
                rebuilt.append((i, node))
            }
            guard rebuilt.count == convs.count else { continue }
            for (i, node) in rebuilt { nodes[i] = node }
            removed.insert(p)
        }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// For pattern matching: each value's reader count (``useCounts``), the node producing it, and the
    /// node reading it (the last one when several do; pair it with a count of 1).
    static func valueIndex(_ nodes: [GraphNode], _ graphOutputs: Set<String>)
        -> (uses: [String: Int], producer: [String: Int], consumer: [String: Int])
    {
        var producer: [String: Int] = [:], consumer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() {
            for o in n.outputs where !o.isEmpty { producer[o] = i }
            for input in n.inputs where !input.isEmpty { consumer[input] = i }
        }
        return (useCounts(nodes, graphOutputs), producer, consumer)
    }

    static func useCounts(_ nodes: [GraphNode], _ graphOutputs: Set<String>) -> [String: Int] {
        var uses: [String: Int] = [:]
        for n in nodes { for i in n.inputs where !i.isEmpty { uses[i, default: 0] += 1 } }
        for o in graphOutputs { uses[o, default: 0] += 1 }
        return uses
    }

    static func context(_ name: String, _ op: String, inputs: Int, settings: ExecutionSettings) -> NodeContext {
        NodeContext(
            name: name, opType: op, domain: OperatorRegistry.fusedDomain, version: 1, attributes: [:],
            tensorAttributes: [:], inputCount: inputs, outputCount: 1, settings: settings)
    }

    static func scalar(_ constants: [String: ONNXValue], _ name: String) -> Float? {
        guard let v = constants[name], v.elementType == .float, v.count == 1 else { return nil }
        return v.floatPointer[0]
    }

    static func fuseLinear(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
        settings: ExecutionSettings
    ) {
        let uses = useCounts(nodes, graphOutputs)
        var consumer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for input in n.inputs where !input.isEmpty { consumer[input] = i } }
        var removed = Set<Int>()
        for (i, n) in nodes.enumerated() where n.opType == "MatMul" && n.domain.isEmpty && n.inputs.count == 2 {
            guard let w = constants[n.inputs[1]], w.elementType == .float, w.shape.count == 2,
                let out = n.outputs.first, uses[out] == 1, let j = consumer[out], !removed.contains(j)
            else { continue }
            let add = nodes[j]
            guard add.opType == "Add", add.domain.isEmpty, add.inputs.count == 2 else { continue }
            let biasName = add.inputs[0] == out ? add.inputs[1] : add.inputs[0]
            guard let b = constants[biasName], b.elementType == .float, b.shape == [w.shape[1]] else { continue }
            // Packed once here, the one copy both the few-rows and many-rows kernels read.
            let packed = PackedGemm.PackedColumns(w.floatPointer, k: w.shape[0], n: w.shape[1], bias: b.floatPointer)
            // A Gelu reading only this output becomes the Linear's epilogue.
            var outputs = add.outputs, name = n.name + "+" + add.name, gelu = false
            if let addOut = add.outputs.first, uses[addOut] == 1, let g = consumer[addOut], !removed.contains(g),
                nodes[g].opType == "Gelu", nodes[g].domain == OperatorRegistry.fusedDomain, nodes[g].inputs == [addOut]
            {
                outputs = nodes[g].outputs
                name += "+Gelu"
                gelu = true
                removed.insert(g)
            }
            let ctx = context(name, "Linear", inputs: 3, settings: settings)
            nodes[j] = GraphNode(
                name: ctx.name, opType: "Linear", domain: OperatorRegistry.fusedDomain,
                inputs: [n.inputs[0], n.inputs[1], biasName], outputs: outputs,
                kernel: MatMulOps.linear(ctx, packed: packed, gelu: gelu))
            removed.insert(i)
        }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    static func fuseGelu(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
        settings: ExecutionSettings
    ) {
        let (uses, producer, consumer) = valueIndex(nodes, graphOutputs)
        func single(_ value: String) -> Int? { uses[value] == 1 ? consumer[value] : nil }
        func other(_ n: GraphNode, _ value: String) -> String? {
            guard n.inputs.count == 2 else { return nil }
            return n.inputs[0] == value ? n.inputs[1] : (n.inputs[1] == value ? n.inputs[0] : nil)
        }
        var removed = Set<Int>()
        var replacements: [Int: GraphNode] = [:]
        for (e, erf) in nodes.enumerated() where erf.opType == "Erf" && erf.domain.isEmpty {
            // x / √2 (or x · 1/√2) feeding the Erf.
            guard let d = producer[erf.inputs[0]], uses[erf.inputs[0]] == 1 else { continue }
            let div = nodes[d]
            guard div.inputs.count == 2, let c = scalar(constants, div.inputs[1]) else { continue }
            let x = div.inputs[0]
            let okScale =
                (div.opType == "Div" && abs(c - 1.4142135) < 1e-5)
                || (div.opType == "Mul" && abs(c - 0.70710678) < 1e-6)
            guard okScale, let erfOut = erf.outputs.first, let a = single(erfOut), nodes[a].opType == "Add",
                let one = other(nodes[a], erfOut), scalar(constants, one) == 1,
                let addOut = nodes[a].outputs.first, let m = single(addOut), nodes[m].opType == "Mul",
                let y = other(nodes[m], addOut), let mulOut = nodes[m].outputs.first
            else { continue }
            var group: [Int] = [d, e, a, m]
            let finalOutputs: [String]
            if y == x {
                // (x · (1 + erf)) · 0.5
                guard let h = single(mulOut), nodes[h].opType == "Mul", let half = other(nodes[h], mulOut),
                    scalar(constants, half) == 0.5
                else { continue }
                group.append(h)
                finalOutputs = nodes[h].outputs
            } else {
                // (x · 0.5) · (1 + erf)
                guard let p = producer[y], uses[y] == 1, nodes[p].opType == "Mul", let half = other(nodes[p], x),
                    scalar(constants, half) == 0.5
                else { continue }
                group.append(p)
                finalOutputs = nodes[m].outputs
            }
            guard group.allSatisfy({ !removed.contains($0) && nodes[$0].domain.isEmpty }) else { continue }
            let last = group.max() ?? m
            let ctx = context(erf.name + "/Gelu", "Gelu", inputs: 1, settings: settings)
            for g in group where g != last { removed.insert(g) }
            replacements[last] = GraphNode(
                name: ctx.name, opType: "Gelu", domain: OperatorRegistry.fusedDomain,
                inputs: [x], outputs: finalOutputs, kernel: ElementwiseOps.unary(ctx, .gelu))
        }
        for (i, n) in replacements { nodes[i] = n }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
