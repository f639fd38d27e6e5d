/// Spatial geometry of a convolution or pooling window, lifted to three spatial dimensions
/// (missing leading dimensions have size 1, kernel 1, stride 1, no padding).
struct ConvGeometry {
    var input: [Int]  // 3 spatial input sizes
    var kernel: [Int]
    var stride: [Int]
    var dilation: [Int]
    var padBegin: [Int]
    var padEnd: [Int]
    var output: [Int]
    /// Number of real spatial dimensions (1...3).
    var rank: Int

    var outputCount: Int { output[0] * output[1] * output[2] }
    var inputCount: Int { input[0] * input[1] * input[2] }
    var kernelCount: Int { kernel[0] * kernel[1] * kernel[2] }

    /// Parsed attributes shared by Conv and the pools.
    struct Attributes {
        var autoPad: String
        var kernelShape: [Int]?
        var strides: [Int]?
        var dilations: [Int]?
        var pads: [Int]?
        var ceilMode: Bool

        init(_ ctx: NodeContext) throws {
            autoPad = try ctx.choice("auto_pad", "NOTSET", ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
            kernelShape = try ctx.ints("kernel_shape")
            strides = try ctx.ints("strides")
            dilations = try ctx.ints("dilations")
            pads = try ctx.ints("pads")
            ceilMode = try ctx.int("ceil_mode", 0) != 0
            for (name, list) in [("kernel_shape", kernelShape), ("strides", strides), ("dilations", dilations)] {
                if let list, !list.allSatisfy({ $0 >= 1 }) { throw ctx.attributeError(name, "values must be >= 1") }
            }
            if let pads, !pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) {
                throw ctx.attributeError("pads", "values must be in 0...65536")
            }
            for (name, list) in [("kernel_shape", kernelShape), ("strides", strides), ("dilations", dilations)] {
                if let list, !list.allSatisfy({ $0 <= 1 << 16 }) {
                    throw ctx.attributeError(name, "values must be <= 65536")
                }
            }
        }
    }

    init(_ ctx: NodeContext, _ a: Attributes, spatial: [Int], kernelShape: [Int]) throws {
        let k = spatial.count
        guard (1...3).contains(k) else { throw ctx.fail("only 1 to 3 spatial dimensions are supported, got \(k)") }
        guard kernelShape.count == k else {
            throw ctx.fail("kernel has \(kernelShape.count) dimensions for \(k) spatial ones")
        }
        let strides = a.strides ?? [Int](repeating: 1, count: k)
        let dilations = a.dilations ?? [Int](repeating: 1, count: k)
        let pads = a.pads ?? [Int](repeating: 0, count: 2 * k)
        guard strides.count == k, dilations.count == k, pads.count == 2 * k else {
            throw ctx.fail("strides/dilations/pads lengths do not match \(k) spatial dimensions")
        }
        let lead = 3 - k
        rank = k
        input = [Int](repeating: 1, count: lead) + spatial
        kernel = [Int](repeating: 1, count: lead) + kernelShape
        stride = [Int](repeating: 1, count: lead) + strides
        dilation = [Int](repeating: 1, count: lead) + dilations
        padBegin = [Int](repeating: 0, count: 3)
        padEnd = [Int](repeating: 0, count: 3)
        output = [Int](repeating: 1, count: 3)
        guard kernelShape.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else {
            throw ctx.fail("invalid kernel shape \(kernelShape)")
        }
        try ctx.checkShape((0..<k).map { spatial[$0] + pads[$0] + pads[$0 + k] + dilations[$0] * kernelShape[$0] })
        for i in 0..<k {
            let d = lead + i
            let span = dilations[i] * (kernelShape[i] - 1) + 1
            switch a.autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                let out = (spatial[i] + strides[i] - 1) / strides[i]
                let total = Swift.max(0, (out - 1) * strides[i] + span - spatial[i])
                padBegin[d] = a.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                padEnd[d] = total - padBegin[d]
                output[d] = out
            case "VALID":
                output[d] = spatial[i] >= span ? (spatial[i] - span) / strides[i] + 1 : 0
            default:
                padBegin[d] = pads[i]
                padEnd[d] = pads[i + k]
                let extent = spatial[i] + pads[i] + pads[i + k] - span
                if extent < 0 {
                    output[d] = 0
                } else if a.ceilMode {
                    var out = (extent + strides[i] - 1) / strides[i] + 1
                    if (out - 1) * strides[i] >= spatial[i] + pads[i] { out -= 1 }
                    output[d] = out
                } else {
                    output[d] = extent / strides[i] + 1
                }
            }
            // A window that does not fit once anywhere is a malformed model, not an empty result.
            guard output[d] > 0 || spatial[i] == 0 else {
                let padded = a.autoPad == "VALID" ? spatial[i] : spatial[i] + padBegin[d] + padEnd[d]
                throw ctx.fail(
                    "kernel extent \(span) (kernel \(kernelShape[i]), dilation \(dilations[i])) is larger than the "
                        + "\(a.autoPad == "VALID" ? "" : "padded ")input \(padded) along spatial axis \(i)")
            }
        }
    }
}
