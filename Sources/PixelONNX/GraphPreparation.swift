/// Turns a decoded ONNX graph into an ``ExecutionPlan``: kernels, topological order, constant folding,
/// fusion, and (per input-shape signature) folding of shape subgraphs.
struct GraphPreparation {
    var inputs: [ONNXModel.ValueDescription] = []
    var outputs: [ONNXModel.ValueDescription] = []
    var parameterCount = 0
    var plan: ExecutionPlan
    /// The nodes after constant folding and before fusion, in topological order, and every constant
    /// (initializers and folded values); read by ``ONNXGraph``.
    var foldedNodes: [GraphNode] = []
    var constants: [String: ONNXValue] = [:]

    /// - Parameter requestedOutputs: values to return instead of the graph's outputs (any node output,
    ///   input or constant); nodes that none of them needs are dropped.
    init(
        model: ONNXProto.Model, file: MappedFile, directory: String?, opsets: [String: Int],
        settings: ExecutionSettings, options: ONNXModel.Options, requestedOutputs: [String]? = nil
    ) throws {
        let graph = model.graph
        var external: [String: MappedFile] = [:]
        var constants: [String: ONNXValue] = [:]
        var parameters = 0
        for t in graph.initializers {
            guard !t.name.isEmpty else { throw ONNXError.invalidGraph(reason: "an initializer has no name") }
            let v = try ONNXProto.value(of: t, file: file, directory: directory, externalFiles: &external)
            constants[t.name] = v
            parameters += v.count
        }
        parameterCount = parameters
        func describe(_ v: ONNXProto.ValueInfo) -> ONNXModel.ValueDescription {
            let shape = v.shape.map { dims in
                dims.map { d -> ONNXModel.Dimension in
                    if let n = d.value, n > 0 { return .fixed(n) }
                    if let p = d.parameter, !p.isEmpty { return .symbolic(p) }
                    return .unknown
                }
            }
            return ONNXModel.ValueDescription(name: v.name, elementTypeCode: v.elementType, shape: shape)
        }
        inputs = graph.inputs.filter { constants[$0.name] == nil }.map(describe)
        outputs = graph.outputs.map(describe)
        var outputNames = graph.outputs.map(\.name)
        if let requestedOutputs {
            outputNames = requestedOutputs
            outputs = requestedOutputs.map { name in
                graph.outputs.first { $0.name == name }.map(describe)
                    ?? ONNXModel.ValueDescription(name: name, elementTypeCode: 0, shape: nil)
            }
        }
        var seenInputs = Set<String>()
        for i in inputs {
            guard !i.name.isEmpty, seenInputs.insert(i.name).inserted else {
                throw ONNXError.invalidGraph(reason: "duplicate or empty input name '\(i.name)'")
            }
        }
        // Kernels (attributes validated here).
        var nodes: [GraphNode] = []
        for (index, n) in graph.nodes.enumerated() {
            let name = n.name.isEmpty ? "\(n.opType)_\(index)" : n.name
            let domain = n.domain == "ai.onnx" ? "" : n.domain
            guard let opset = opsets[domain],
                let (entry, version) = OperatorRegistry.resolve(domain: domain, op: n.opType, opset: opset)
            else {
                throw ONNXError.unsupportedOperator(
                    node: name, op: n.opType, domain: domain, version: opsets[domain] ?? 0)
            }
            var attributes: [String: ONNXProto.AttributeValue] = [:]
            var tensors: [String: ONNXValue] = [:]
            for a in n.attributes {
                if case .graph = a.value {
                    throw ONNXError.invalidAttribute(
                        node: name, op: n.opType, attribute: a.name, reason: "subgraphs are not supported")
                }
                attributes[a.name] = a.value
                if case .tensor(let t) = a.value {
                    tensors[a.name] = try ONNXProto.value(
                        of: t, file: file, directory: directory, externalFiles: &external)
                }
            }
            let ctx = NodeContext(
                name: name, opType: n.opType, domain: domain, version: version, attributes: attributes,
                tensorAttributes: tensors, inputCount: n.inputs.count, outputCount: n.outputs.count,
                settings: settings)
            nodes.append(
                GraphNode(
                    name: name, opType: n.opType, domain: domain, inputs: n.inputs, outputs: n.outputs,
                    kernel: try entry.factory(ctx), context: ctx))
        }
        nodes = try Self.topologicalOrder(nodes, available: Set(constants.keys).union(inputs.map(\.name)))
        try Self.foldConstants(&nodes, &constants)
        if requestedOutputs != nil {
            nodes = try Self.pruned(
                nodes, outputs: outputNames, available: Set(constants.keys).union(inputs.map(\.name)))
        }
        foldedNodes = nodes
        self.constants = constants
        if options.fuse {
            GraphFusion.apply(
                &nodes, constants: constants, graphOutputs: Set(outputNames), settings: settings,
                attention: options.fuseAttention)
        }
        plan = try ExecutionPlan(
            nodes: nodes, constants: constants, inputs: inputs.map(\.name), outputs: outputNames)
    }

    /// The nodes (in their order) that `outputs` depend on.
    /// - Throws: ``ONNXError/invalidGraph(reason:)`` naming an output that no node, input or constant defines.
    static func pruned(_ nodes: [GraphNode], outputs: [String], available: Set<String>) throws -> [GraphNode] {
        var producer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
        var needed = Set<Int>()
        var pending: [String] = []
        for o in outputs {
            guard producer[o] != nil || available.contains(o) else {
                throw ONNXError.invalidGraph(reason: "requested output '\(o)' is not a value of the graph")
            }
            pending.append(o)
        }
        var seen = Set<String>()
        while let v = pending.popLast() {
            guard seen.insert(v).inserted, let p = producer[v], needed.insert(p).inserted else { continue }
            pending.append(contentsOf: nodes[p].inputs.filter { !$0.isEmpty })
        }
        return nodes.indices.filter { needed.contains($0) }.map { nodes[$0] }
    }

    /// Kahn's algorithm; errors on cycles, undefined inputs and values defined twice.
    static func topologicalOrder(_ nodes: [GraphNode], available: Set<String>) throws -> [GraphNode] {
        var producer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() {
            for o in n.outputs where !o.isEmpty {
                guard producer[o] == nil, !available.contains(o) else {
                    throw ONNXError.invalidGraph(reason: "value '\(o)' is defined twice")
                }
                producer[o] = i
            }
        }
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (i, n) in nodes.enumerated() {
            for input in Set(n.inputs) where !input.isEmpty {
                if let p = producer[input] {
                    pending[i] += 1
                    consumers[p].append(i)
                } else if !available.contains(input) {
                    throw ONNXError.invalidGraph(reason: "node '\(n.name)' reads undefined value '\(input)'")
                }
            }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }
        var order: [GraphNode] = []
        var head = 0
        while head < ready.count {
            let i = ready[head]
            head += 1
            order.append(nodes[i])
            for c in consumers[i] {
                pending[c] -= 1
                if pending[c] == 0 { ready.append(c) }
            }
        }
        guard order.count == nodes.count else { throw ONNXError.invalidGraph(reason: "the graph has a cycle") }
        return order
    }

    /// Runs every node whose inputs are all constant at load and keeps its outputs as constants.
    static func foldConstants(_ nodes: inout [GraphNode], _ constants: inout [String: ONNXValue]) throws {
        var kept: [GraphNode] = []
        for n in nodes {
            let allConstant = n.inputs.allSatisfy { $0.isEmpty || constants[$0] != nil }
            if allConstant {
                let args = n.inputs.map { $0.isEmpty ? nil : constants[$0] }
                let results = try n.kernel(args)
                for (k, o) in n.outputs.enumerated() where !o.isEmpty && k < results.count { constants[o] = results[k] }
            } else {
                kept.append(n)
            }
        }
        nodes = kept
    }

    /// A plan for one input-shape signature: values that depend only on shapes become constants.
    static func specialize(_ plan: ExecutionPlan, tracker: ExecutionPlan.ShapeTracker, blockChannels: Bool = false)
        throws -> ExecutionPlan
    {
        var constants: [String: ONNXValue] = [:]
        for (s, v) in plan.constants { constants[plan.slotNames[s]] = v }
        for (s, v) in tracker.values where tracker.shapeOnly[s] { constants[plan.slotNames[s]] = v }
        var nodes = plan.steps.filter { step in !step.outputs.allSatisfy { $0 < 0 || tracker.shapeOnly[$0] } }.map(
            \.node)
        GraphFusion.fusePadIntoConv(&nodes, constants: constants, graphOutputs: Set(plan.outputSlots.map(\.name)))
        if blockChannels {
            var shapes: [String: [Int]] = [:]
            for (s, shape) in tracker.shapes { shapes[plan.slotNames[s]] = shape }
            GraphFusion.blockChannels(
                &nodes, constants: constants, shapes: shapes, graphOutputs: Set(plan.outputSlots.map(\.name)))
        }
        return try ExecutionPlan(
            nodes: nodes, constants: constants, inputs: plan.inputSlots.map(\.name),
            outputs: plan.outputSlots.map(\.name))
    }
}
