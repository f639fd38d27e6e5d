/// Channel-blocked execution of depthwise and 1×1 convolution chains (MobileNet/EfficientNet blocks).
///
/// Runs on a shape-specialized plan (every value's shape known). A `Conv` with constant weights over a 4-D
/// input becomes a blocked node when it is depthwise (`group == C == M`, 2-D kernel, any stride, padding
/// and dilation) or pointwise (1×1, stride 1, no padding, `group == 1`); a `group == 1` convolution with
/// at most 64 input taps per output (a CNN's stem) reads its plain input and writes blocked
/// (``BlockedConv/Direct``). A 1×1 or direct convolution is only blocked next to other blocked nodes
/// (alone it would only add conversions). Their values live in the
/// ``BlockedConv`` layout under the name `value + "#nchw16c"`; a `ToNCHW16c` node converts an input the
/// first time a blocked node reads it, a `FromNCHW16c` node restores the plain value for every other
/// reader (and graph outputs). An `Add` of two blocked values of equal shape whose one operand is a
/// pointwise convolution read only there becomes that convolution's residual epilogue; any other `Add`
/// of two equal-shaped blocked values stays an `Add` on the blocked values (element-wise, same layout).
///
/// Every blocked kernel computes each output element with the same operations in the same order as the
/// plain `Conv` kernel (bias, then the taps or the input channels in order, fused multiply-adds, then the
/// clamp, then the residual), so results match the plain graph.
extension GraphFusion {
    static let blockedSuffix = "#nchw16c"

    private enum BlockedKind {
        case depthwise(BlockedConv.Depthwise, input: [Int], out: [Int])
        case pointwise(BlockedConv.Pointwise, out: [Int])
        /// Reads a plain input (the stem), writes blocked.
        case direct(BlockedConv.Direct, input: [Int], out: [Int])

        var readsBlocked: Bool {
            if case .direct = self { return false }
            return true
        }
    }

    static func blockChannels(
        _ nodes: inout [GraphNode], constants: [String: ONNXValue], shapes: [String: [Int]],
        graphOutputs: Set<String>
    ) {
        var kinds: [Int: BlockedKind] = [:]
        for (i, node) in nodes.enumerated() {
            if let kind = blockedKind(node, constants: constants, shapes: shapes) { kinds[i] = kind }
        }
        // A lone 1×1 convolution between plain values would only add two conversions.
        var produced = Set<String>()
        for (i, _) in kinds { produced.insert(nodes[i].outputs[0]) }
        var readers: [String: [Int]] = [:]
        for (i, n) in nodes.enumerated() {
            for input in Set(n.inputs) where !input.isEmpty { readers[input, default: []].append(i) }
        }
        for (i, kind) in kinds {
            let feedsBlocked = readers[nodes[i].outputs[0], default: []].contains { kinds[$0]?.readsBlocked == true }
            switch kind {
            case .pointwise: if !produced.contains(nodes[i].inputs[0]) && !feedsBlocked { kinds[i] = nil }
            case .direct: if !feedsBlocked { kinds[i] = nil }
            case .depthwise: break
            }
        }
        if kinds.isEmpty { return }
        var blocked = Set<String>()
        for (i, _) in kinds { blocked.insert(nodes[i].outputs[0]) }
        let uses = useCounts(nodes, graphOutputs)

        // Adds over two blocked values of one shape: fused into a pointwise producer, or kept blocked.
        var residualOf: [Int: (conv: Int, residual: String)] = [:]  // Add index → fused conv
        var fusedInto: [Int: Int] = [:]  // conv index → Add index
        var blockedAdds = Set<Int>()
        var producer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
        for (i, n) in nodes.enumerated() where n.opType == "Add" && n.domain.isEmpty && n.inputs.count == 2 {
            let (a, b) = (n.inputs[0], n.inputs[1])
            guard a != b, blocked.contains(a), blocked.contains(b), let sa = shapes[a], sa == shapes[b],
                let out = n.outputs.first, shapes[out] == sa
            else { continue }
            for (conv, residual) in [(a, b), (b, a)] {
                guard let p = producer[conv], uses[conv] == 1, fusedInto[p] == nil, case .pointwise = kinds[p] else {
                    continue
                }
                residualOf[i] = (p, residual)
                fusedInto[p] = i
                break
            }
            if residualOf[i] == nil { blockedAdds.insert(i) }
            blocked.insert(out)
        }

        // Values read in plain form (by a plain node or as a graph output) get a FromNCHW16c after their producer.
        var needsPlain = Set<String>()
        for (i, n) in nodes.enumerated() {
            let blockedReader = kinds[i]?.readsBlocked == true || residualOf[i] != nil || blockedAdds.contains(i)
            for input in n.inputs where blocked.contains(input) {
                if blockedReader && !(kinds[i] != nil && input != n.inputs[0]) { continue }
                needsPlain.insert(input)
            }
        }
        for o in graphOutputs where blocked.contains(o) { needsPlain.insert(o) }

        var converted = Set<String>()
        var rebuilt: [GraphNode] = []
        func blockedInput(_ value: String, settings: ExecutionSettings) -> String? {
            let name = value + blockedSuffix
            if blocked.contains(value) || converted.contains(value) { return name }
            guard let shape = shapes[value], shape.count == 4 else { return nil }
            let ctx = context(value + "/ToNCHW16c", "ToNCHW16c", inputs: 1, settings: settings)
            rebuilt.append(
                GraphNode(
                    name: ctx.name, opType: "ToNCHW16c", domain: OperatorRegistry.fusedDomain, inputs: [value],
                    outputs: [name], kernel: toBlockedKernel(ctx, shape: shape), context: ctx))
            converted.insert(value)
            return name
        }
        func emitPlain(_ value: String, settings: ExecutionSettings) {
            guard needsPlain.contains(value), let shape = shapes[value] else { return }
            let ctx = context(value + "/FromNCHW16c", "FromNCHW16c", inputs: 1, settings: settings)
            rebuilt.append(
                GraphNode(
                    name: ctx.name, opType: "FromNCHW16c", domain: OperatorRegistry.fusedDomain,
                    inputs: [value + blockedSuffix], outputs: [value], kernel: fromBlockedKernel(ctx, shape: shape),
                    context: ctx))
        }
        for (i, node) in nodes.enumerated() {
            guard let settings = node.context?.settings ?? nodes.lazy.compactMap({ $0.context?.settings }).first else {
                rebuilt.append(node)
                continue
            }
            if let kind = kinds[i] {
                if fusedInto[i] != nil { continue }  // emitted at its Add
                guard let x = kind.readsBlocked ? blockedInput(node.inputs[0], settings: settings) : node.inputs[0]
                else {
                    rebuilt.append(node)
                    continue
                }
                let out = node.outputs[0]
                rebuilt.append(blockedNode(node, kind, input: x, residual: nil, output: out, settings: settings))
                emitPlain(out, settings: settings)
            } else if let (conv, residual) = residualOf[i] {
                let c = nodes[conv]
                guard let kind = kinds[conv], let x = blockedInput(c.inputs[0], settings: settings) else { continue }
                let out = node.outputs[0]
                var fused = blockedNode(
                    c, kind, input: x, residual: residual + blockedSuffix, output: out, settings: settings)
                fused.name += "+" + node.name
                rebuilt.append(fused)
                emitPlain(out, settings: settings)
            } else if blockedAdds.contains(i) {
                var add = node
                add.inputs = node.inputs.map { $0 + blockedSuffix }
                add.outputs = [node.outputs[0] + blockedSuffix]
                add.name += "/nchw16c"
                rebuilt.append(add)
                emitPlain(node.outputs[0], settings: settings)
            } else {
                rebuilt.append(node)
            }
        }
        nodes = rebuilt
    }

    private static func blockedKind(_ node: GraphNode, constants: [String: ONNXValue], shapes: [String: [Int]])
        -> BlockedKind?
    {
        guard node.opType == "Conv", node.domain.isEmpty, let ctx = node.context, node.inputs.count >= 2,
            node.outputs.count == 1,
            let xShape = shapes[node.inputs[0]], xShape.count == 4, let out = node.outputs.first,
            let yShape = shapes[out],
            yShape.count == 4, let w = constants[node.inputs[1]], w.elementType == .float, w.shape.count == 4
        else { return nil }
        var bias: ONNXValue?
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            guard let b = constants[node.inputs[2]], b.elementType == .float, b.count == w.shape[0] else { return nil }
            bias = b
        }
        guard let attributes = try? ConvGeometry.Attributes(ctx), let groups = try? ctx.int("group", 1),
            let g = try? ConvGeometry(ctx, attributes, spatial: Array(xShape[2...]), kernelShape: Array(w.shape[2...])),
            g.output[1] == yShape[2], g.output[2] == yShape[3], xShape[0] == yShape[0], w.shape[0] == yShape[1]
        else { return nil }
        if let ks = attributes.kernelShape, ks != Array(w.shape[2...]) { return nil }
        var bounds: (Float, Float) = (-.infinity, .infinity)
        if ctx.has(ConvOps.clampMinKey) {
            guard let lo = try? ctx.float(ConvOps.clampMinKey, -.infinity),
                let hi = try? ctx.float(ConvOps.clampMaxKey, .infinity)
            else { return nil }
            bounds = (lo, hi)
        }
        let c = xShape[1], m = w.shape[0]
        if groups == c, m == c, w.shape[1] == 1, c > 0 {
            let dw = BlockedConv.Depthwise(
                channels: c, w: w.floatPointer, bias: bias?.floatPointer, kh: w.shape[2], kw: w.shape[3],
                stride: (g.stride[1], g.stride[2]), dilation: (g.dilation[1], g.dilation[2]),
                padTop: g.padBegin[1], padLeft: g.padBegin[2], bounds: bounds)
            return .depthwise(dw, input: xShape, out: yShape)
        }
        if groups == 1, w.shape[1] == c, w.shape[2] == 1, w.shape[3] == 1, g.stride == [1, 1, 1],
            g.padBegin == [0, 0, 0], g.padEnd == [0, 0, 0], c > 0, m > 0
        {
            let pw = BlockedConv.Pointwise(
                w: w.floatPointer, outChannels: m, inChannels: c, bias: bias?.floatPointer, bounds: bounds)
            return .pointwise(pw, out: yShape)
        }
        if groups == 1, w.shape[1] == c, c * w.shape[2] * w.shape[3] <= BlockedConv.Direct.maximumTaps, c > 0, m > 0 {
            let direct = BlockedConv.Direct(
                w: w.floatPointer, outChannels: m, inChannels: c, bias: bias?.floatPointer,
                kh: w.shape[2], kw: w.shape[3], stride: (g.stride[1], g.stride[2]),
                dilation: (g.dilation[1], g.dilation[2]), padTop: g.padBegin[1], padLeft: g.padBegin[2],
                bounds: bounds)
            return .direct(direct, input: xShape, out: yShape)
        }
        return nil
    }

    private static func blockedNode(
        _ node: GraphNode, _ kind: BlockedKind, input: String, residual: String?, output: String,
        settings: ExecutionSettings
    ) -> GraphNode {
        let inputs = [input] + (residual.map { [$0] } ?? [])
        switch kind {
        case .depthwise(let dw, let input, let out):
            let ctx = context(node.name, "ConvDepthwise16c", inputs: 1, settings: settings)
            return GraphNode(
                name: node.name, opType: ctx.opType, domain: ctx.domain, inputs: inputs,
                outputs: [output + blockedSuffix],
                kernel: depthwiseKernel(ctx, dw, input: input, out: out), context: ctx)
        case .pointwise(let pw, let out):
            let ctx = context(node.name, "ConvPointwise16c", inputs: inputs.count, settings: settings)
            return GraphNode(
                name: node.name, opType: ctx.opType, domain: ctx.domain, inputs: inputs,
                outputs: [output + blockedSuffix],
                kernel: pointwiseKernel(ctx, pw, out: out), context: ctx)
        case .direct(let direct, let input, let out):
            let ctx = context(node.name, "ConvDirect16c", inputs: 1, settings: settings)
            return GraphNode(
                name: node.name, opType: ctx.opType, domain: ctx.domain, inputs: inputs,
                outputs: [output + blockedSuffix],
                kernel: directKernel(ctx, direct, input: input, out: out), context: ctx)
        }
    }

    /// Checks a blocked input has the shape the node was planned for.
    private static func checkedInput(_ ctx: NodeContext, _ inputs: [ONNXValue?], _ i: Int, expect shape: [Int]) throws
        -> ONNXValue
    {
        let x = try ctx.floatInput(inputs, i)
        guard x.shape == shape else { throw ctx.fail("blocked input \(i) has shape \(x.shape), planned for \(shape)") }
        return x
    }

    static func toBlockedKernel(_ ctx: NodeContext, shape: [Int]) -> Kernel {
        let settings = ctx.settings
        return { inputs in
            let x = try checkedInput(ctx, inputs, 0, expect: shape)
            let out = ONNXValue(uninitialized: .float, shape: BlockedConv.blockedShape(shape))
            BlockedConv.toBlocked(
                x.floatPointer, out.floatPointer, n: shape[0], c: shape[1], hw: shape[2] * shape[3], settings: settings)
            return [out]
        }
    }

    static func fromBlockedKernel(_ ctx: NodeContext, shape: [Int]) -> Kernel {
        let settings = ctx.settings
        return { inputs in
            let x = try checkedInput(ctx, inputs, 0, expect: BlockedConv.blockedShape(shape))
            let out = ONNXValue(uninitialized: .float, shape: shape)
            BlockedConv.fromBlocked(
                x.floatPointer, out.floatPointer, n: shape[0], c: shape[1], hw: shape[2] * shape[3], settings: settings)
            return [out]
        }
    }

    private static func depthwiseKernel(_ ctx: NodeContext, _ dw: BlockedConv.Depthwise, input: [Int], out shape: [Int])
        -> Kernel
    {
        let settings = ctx.settings
        let inShape = BlockedConv.blockedShape(input)
        return { inputs in
            let x = try checkedInput(ctx, inputs, 0, expect: inShape)
            let out = ONNXValue(uninitialized: .float, shape: BlockedConv.blockedShape(shape))
            dw.run(
                x.floatPointer, out.floatPointer, n: shape[0], ih: x.shape[2], iw: x.shape[3], oh: shape[2],
                ow: shape[3],
                settings: settings)
            return [out]
        }
    }

    private static func pointwiseKernel(_ ctx: NodeContext, _ pw: BlockedConv.Pointwise, out shape: [Int]) -> Kernel {
        let settings = ctx.settings
        let inShape = BlockedConv.blockedShape([shape[0], pw.inChannels, shape[2], shape[3]])
        let outShape = BlockedConv.blockedShape(shape)
        return { inputs in
            let x = try checkedInput(ctx, inputs, 0, expect: inShape)
            let residual = inputs.count > 1 ? try checkedInput(ctx, inputs, 1, expect: outShape) : nil
            let out = ONNXValue(uninitialized: .float, shape: outShape)
            // Per channel block the positions of all images are contiguous: one image of N·H·W positions.
            pw.run(
                x.floatPointer, out.floatPointer, residual: residual.map { UnsafePointer($0.floatPointer) },
                positions: shape[0] * shape[2] * shape[3], settings: settings)
            return [out]
        }
    }

    private static func directKernel(_ ctx: NodeContext, _ direct: BlockedConv.Direct, input: [Int], out shape: [Int])
        -> Kernel
    {
        let settings = ctx.settings
        return { inputs in
            let x = try checkedInput(ctx, inputs, 0, expect: input)
            let out = ONNXValue(uninitialized: .float, shape: BlockedConv.blockedShape(shape))
            direct.run(
                x.floatPointer, out.floatPointer, n: shape[0], ih: input[2], iw: input[3], oh: shape[2], ow: shape[3],
                settings: settings)
            return [out]
        }
    }
}
