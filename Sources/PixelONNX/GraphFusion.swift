/// Pattern fusions on the prepared graph; each replacement computes the same function as the nodes it
/// replaces (tests compare fused and unfused runs).
///
/// - `MatMul(X, W) → Add(·, b)` with constant 2-D `W` and 1-D `b` → `Linear` (one sgemm, bias preloaded).
/// - `Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5)` (and the `Mul(x, 0.5)` first variant) → `Gelu`.
enum GraphFusion {
    static func apply(_ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
                      settings: ExecutionSettings) {
        fuseLinear(&nodes, constants: constants, graphOutputs: graphOutputs, settings: settings)
        fuseGelu(&nodes, constants: constants, graphOutputs: graphOutputs, settings: settings)
    }

    static func useCounts(_ nodes: [GraphNode], _ graphOutputs: Set<String>) -> [String: Int] {
        var uses: [String: Int] = [:]
        for n in nodes { for i in n.inputs where !i.isEmpty { uses[i, default: 0] += 1 } }
        for o in graphOutputs { uses[o, default: 0] += 1 }
        return uses
    }

    static func context(_ name: String, _ op: String, inputs: Int, settings: ExecutionSettings) -> NodeContext {
        NodeContext(name: name, opType: op, domain: OperatorRegistry.fusedDomain, version: 1, attributes: [:],
                    tensorAttributes: [:], inputCount: inputs, outputCount: 1, settings: settings)
    }

    static func scalar(_ constants: [String: ONNXValue], _ name: String) -> Float? {
        guard let v = constants[name], v.elementType == .float, v.count == 1 else { return nil }
        return v.floatPointer[0]
    }

    static func fuseLinear(_ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
                           settings: ExecutionSettings) {
        let uses = useCounts(nodes, graphOutputs)
        var consumer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for input in n.inputs where !input.isEmpty { consumer[input] = i } }
        var removed = Set<Int>()
        for (i, n) in nodes.enumerated() where n.opType == "MatMul" && n.domain.isEmpty && n.inputs.count == 2 {
            guard let w = constants[n.inputs[1]], w.elementType == .float, w.shape.count == 2,
                  let out = n.outputs.first, uses[out] == 1, let j = consumer[out], !removed.contains(j) else { continue }
            let add = nodes[j]
            guard add.opType == "Add", add.domain.isEmpty, add.inputs.count == 2 else { continue }
            let biasName = add.inputs[0] == out ? add.inputs[1] : add.inputs[0]
            guard let b = constants[biasName], b.elementType == .float, b.shape == [w.shape[1]] else { continue }
            let ctx = context(n.name + "+" + add.name, "Linear", inputs: 3, settings: settings)
            nodes[j] = GraphNode(name: ctx.name, opType: "Linear", domain: OperatorRegistry.fusedDomain,
                                 inputs: [n.inputs[0], n.inputs[1], biasName], outputs: add.outputs,
                                 kernel: MatMulOps.linear(ctx))
            removed.insert(i)
        }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    static func fuseGelu(_ nodes: inout [GraphNode], constants: [String: ONNXValue], graphOutputs: Set<String>,
                         settings: ExecutionSettings) {
        let uses = useCounts(nodes, graphOutputs)
        var producer: [String: Int] = [:], consumer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() {
            for o in n.outputs where !o.isEmpty { producer[o] = i }
            for input in n.inputs where !input.isEmpty { consumer[input] = i }
        }
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
            let okScale = (div.opType == "Div" && abs(c - 1.4142135) < 1e-5) || (div.opType == "Mul" && abs(c - 0.70710678) < 1e-6)
            guard okScale, let erfOut = erf.outputs.first, let a = single(erfOut), nodes[a].opType == "Add",
                  let one = other(nodes[a], erfOut), scalar(constants, one) == 1,
                  let addOut = nodes[a].outputs.first, let m = single(addOut), nodes[m].opType == "Mul",
                  let y = other(nodes[m], addOut), let mulOut = nodes[m].outputs.first else { continue }
            var group: [Int] = [d, e, a, m]
            let finalOutputs: [String]
            if y == x {
                // (x · (1 + erf)) · 0.5
                guard let h = single(mulOut), nodes[h].opType == "Mul", let half = other(nodes[h], mulOut),
                      scalar(constants, half) == 0.5 else { continue }
                group.append(h)
                finalOutputs = nodes[h].outputs
            } else {
                // (x · 0.5) · (1 + erf)
                guard let p = producer[y], uses[y] == 1, nodes[p].opType == "Mul", let half = other(nodes[p], x),
                      scalar(constants, half) == 0.5 else { continue }
                group.append(p)
                finalOutputs = nodes[m].outputs
            }
            guard group.allSatisfy({ !removed.contains($0) && nodes[$0].domain.isEmpty }) else { continue }
            let last = group.max() ?? m
            let ctx = context(erf.name + "/Gelu", "Gelu", inputs: 1, settings: settings)
            for g in group where g != last { removed.insert(g) }
            replacements[last] = GraphNode(name: ctx.name, opType: "Gelu", domain: OperatorRegistry.fusedDomain,
                                           inputs: [x], outputs: finalOutputs, kernel: ElementwiseOps.unary(ctx, .gelu))
        }
        for (i, n) in replacements { nodes[i] = n }
        nodes = nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
