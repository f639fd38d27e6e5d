import Foundation

/// Resize (opset 10–18 subset): nearest / linear / cubic, separable along each resized axis.
enum ResizeOp {
    struct Config {
        var mode: String
        var coordinateMode: String
        var nearestMode: String
        var cubicA: Float
        var excludeOutside: Bool
        var extrapolation: Float
    }

    static func make(_ ctx: NodeContext) throws -> Kernel {
        let v10 = ctx.version < 11
        let config = Config(
            mode: try ctx.choice("mode", "nearest", ["nearest", "linear", "cubic"]),
            coordinateMode: v10
                ? "asymmetric"
                : try ctx.choice(
                    "coordinate_transformation_mode", "half_pixel",
                    [
                        "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize",
                        "tf_half_pixel_for_nn", "half_pixel_symmetric",
                    ]),
            nearestMode: v10
                ? "round_prefer_floor"
                : try ctx.choice(
                    "nearest_mode", "round_prefer_floor", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]),
            cubicA: try ctx.float("cubic_coeff_a", -0.75),
            excludeOutside: try ctx.int("exclude_outside", 0) != 0,
            extrapolation: try ctx.float("extrapolation_value", 0))
        if v10 && config.mode == "cubic" { throw ctx.attributeError("mode", "cubic needs opset 11") }
        if try ctx.int("antialias", 0) != 0 { throw ctx.attributeError("antialias", "antialiasing is not supported") }
        if try ctx.ints("axes") != nil { throw ctx.attributeError("axes", "is not supported") }
        if try ctx.string("keep_aspect_ratio_policy", "stretch") != "stretch" {
            throw ctx.attributeError("keep_aspect_ratio_policy", "only 'stretch' is supported")
        }
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            let r = x.shape.count
            var scales: [Float]?
            var sizes: [Int]?
            var roi: [Float]?
            if v10 {
                scales = try ctx.floatInput(inputs, 1).floats
            } else {
                if let roiValue = ctx.optionalInput(inputs, 1), roiValue.count > 0 { roi = roiValue.floats }
                if let s = ctx.optionalInput(inputs, 2), s.count > 0 { scales = s.floats }
                if let z = ctx.optionalInput(inputs, 3), z.count > 0 { sizes = try ctx.intsInput(inputs, 3) }
            }
            var outShape = x.shape
            var axisScale = [Float](repeating: 1, count: r)
            if let sizes {
                guard sizes.count == r, sizes.allSatisfy({ $0 >= 0 }) else {
                    throw ctx.fail("sizes must hold \(r) non-negative values")
                }
                outShape = sizes
                for a in 0..<r { axisScale[a] = x.shape[a] > 0 ? Float(sizes[a]) / Float(x.shape[a]) : 1 }
            } else if let scales {
                guard scales.count == r, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                    throw ctx.fail("scales must hold \(r) positive values")
                }
                axisScale = scales
                for a in 0..<r {
                    // The product may be infinite or beyond Int: check it before converting.
                    let n = (Float(x.shape[a]) * scales[a]).rounded(.down)
                    guard n <= Float(ONNXLimits.maximumTensorElements) else {
                        throw ctx.fail(
                            "scale \(scales[a]) makes axis \(a) of size \(x.shape[a]) \(n) long, beyond the limit of \(ONNXLimits.maximumTensorElements)"
                        )
                    }
                    outShape[a] = Int(n)
                }
            } else {
                throw ctx.fail("needs scales or sizes")
            }
            try ctx.checkShape(outShape)
            if let roi, roi.count != 2 * r { throw ctx.fail("roi must hold \(2 * r) values") }
            var current = x
            var outside: [[Bool]] = Array(repeating: [], count: r)
            for a in 0..<r
            where outShape[a] != x.shape[a] || axisScale[a] != 1 || config.coordinateMode == "tf_crop_and_resize" {
                let (next, mask) = try resizeAxis(
                    ctx, current, axis: a, outSize: outShape[a], scale: axisScale[a],
                    roi: roi.map { ($0[a], $0[a + r]) }, config)
                current = next
                outside[a] = mask
            }
            // tf_crop_and_resize: positions sampled outside the input take the extrapolation value.
            if config.coordinateMode == "tf_crop_and_resize" && outside.contains(where: { $0.contains(true) }) {
                let strides = contiguousStrides(outShape)
                let p = current.floatPointer
                for i in 0..<current.count {
                    var rem = i
                    for a in 0..<r {
                        let c = rem / strides[a]
                        rem -= c * strides[a]
                        if !outside[a].isEmpty && outside[a][c] { p[i] = config.extrapolation; break }
                    }
                }
            }
            return [current]
        }
    }

    /// Source coordinate of output index `o` along one axis.
    static func sourceCoordinate(_ o: Int, inSize: Int, outSize: Int, scale: Float, roi: (Float, Float)?, _ c: Config)
        -> Float
    {
        let x = Float(o)
        // The reference uses the unrounded resized length `in · scale` where the formulas need a length.
        let outLength = Float(inSize) * scale
        switch c.coordinateMode {
        case "half_pixel": return (x + 0.5) / scale - 0.5
        case "half_pixel_symmetric":
            let adj = Float(outSize) / (scale * Float(inSize))
            let center = Float(inSize) / 2
            let offset = center * (1 - adj)
            return offset + (x + 0.5) / scale - 0.5
        case "pytorch_half_pixel": return outSize > 1 ? (x + 0.5) / scale - 0.5 : 0
        case "align_corners": return outLength > 1 ? x * Float(inSize - 1) / (outLength - 1) : 0
        case "tf_half_pixel_for_nn": return (x + 0.5) / scale
        case "tf_crop_and_resize":
            let (start, end) = roi ?? (0, 1)
            if outLength > 1 {
                return start * Float(inSize - 1) + x * (end - start) * Float(inSize - 1) / (outLength - 1)
            }
            return 0.5 * (start + end) * Float(inSize - 1)
        default: return x / scale
        }
    }

    /// Taps (index, weight) for every output position along one axis, plus the outside-input mask.
    static func taps(inSize: Int, outSize: Int, scale: Float, roi: (Float, Float)?, _ c: Config) -> (
        [[(Int, Float)]], [Bool]
    ) {
        var all: [[(Int, Float)]] = []
        var mask = [Bool](repeating: false, count: outSize)
        all.reserveCapacity(outSize)
        for o in 0..<outSize {
            // roi and scales come from the model: a NaN, infinite or huge coordinate is pinned to a finite one
            // (the taps clamp it to the input anyway) so no conversion to Int below can trap.
            var s = sourceCoordinate(o, inSize: inSize, outSize: outSize, scale: scale, roi: roi, c)
            if !(Swift.abs(s) <= 0x1p30) { s = s.isNaN ? 0 : (s > 0 ? 0x1p30 : -0x1p30) }
            if c.coordinateMode == "tf_crop_and_resize" && (s < 0 || s > Float(inSize - 1)) { mask[o] = true }
            func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i, 0), inSize - 1) }
            switch c.mode {
            case "nearest":
                var i: Int
                switch c.nearestMode {
                case "floor": i = Int(s.rounded(.down))
                case "ceil": i = Int(s.rounded(.up))
                case "round_prefer_ceil":
                    i = Int((s).rounded(.toNearestOrAwayFromZero));
                    if s - s.rounded(.down) == 0.5 { i = Int(s.rounded(.up)) }
                default:
                    i = s - s.rounded(.down) == 0.5 ? Int(s.rounded(.down)) : Int(s.rounded(.toNearestOrAwayFromZero))
                }
                all.append([(clampIndex(i), Float(1))])
            case "linear":
                let sc = Swift.min(Swift.max(s, 0), Float(inSize - 1))
                let i0 = Int(sc.rounded(.down)), i1 = Swift.min(i0 + 1, inSize - 1)
                let t = sc - Float(i0)
                all.append(i0 == i1 ? [(i0, Float(1))] : [(i0, 1 - t), (i1, t)])
            default:
                let base = s.rounded(.down)
                let t = s - base
                let a = c.cubicA
                func weight(_ d: Float) -> Float {
                    let x = Swift.abs(d)
                    if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
                    if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
                    return 0
                }
                var list: [(Int, Float)] = []
                var total: Float = 0
                for k in -1...2 {
                    let idx = Int(base) + k
                    let wgt = weight(t - Float(k))
                    if c.excludeOutside && (idx < 0 || idx >= inSize) { continue }
                    list.append((clampIndex(idx), wgt))
                    total += wgt
                }
                if c.excludeOutside && total != 0 { list = list.map { ($0.0, $0.1 / total) } }
                all.append(list)
            }
        }
        return (all, mask)
    }

    static func resizeAxis(
        _ ctx: NodeContext, _ x: ONNXValue, axis: Int, outSize: Int, scale: Float, roi: (Float, Float)?,
        _ c: Config
    ) throws -> (ONNXValue, [Bool]) {
        let inSize = x.shape[axis]
        var shape = x.shape
        shape[axis] = outSize
        let out = ONNXValue(uninitialized: .float, shape: shape)
        if out.count == 0 { return (out, []) }
        guard inSize > 0 else { throw ctx.fail("cannot resize an empty axis") }
        let (table, mask) = taps(inSize: inSize, outSize: outSize, scale: scale, roi: roi, c)
        let outer = x.shape[0..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        let p = x.floatPointer, o = out.floatPointer
        for a in 0..<outer {
            let src = p + a * inSize * inner, dst = o + a * outSize * inner
            for (j, list) in table.enumerated() {
                let line = dst + j * inner
                line.update(repeating: 0, count: inner)
                for (i, wgt) in list {
                    let s = src + i * inner
                    for q in 0..<inner { line[q] += wgt * s[q] }
                }
            }
        }
        return (out, mask)
    }
}
