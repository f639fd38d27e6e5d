import CPixelKernels
import Foundation
import Testing

@testable import PixelONNX

/// The C dense kernels of every instruction-set level this CPU runs (the fallbacks forced by asking for
/// them; `PIXELREC_ISA` does the same for a whole process): AVX-512 and AVX2 give the same bits, baseline
/// (no FMA) agrees within 1e-5 relative, and each agrees with a double-precision reference.
@Suite("Dense kernels per instruction set")
struct DenseKernelsTests {
    static let levels = DenseKernels.Level.allCases.filter { $0.rawValue <= DenseKernels.supportedLevel.rawValue }

    /// Runs `body` with the kernels of every level this CPU runs; the outputs by level.
    static func perLevel(_ body: (PixelDenseKernels) -> [Float]) -> [(DenseKernels.Level, [Float])] {
        levels.map { ($0, body(DenseKernels.kernels($0))) }
    }

    /// The same with the convolution kernels (conv.c).
    static func perLevelConv(_ body: (PixelConvKernels) -> [Float]) -> [(DenseKernels.Level, [Float])] {
        levels.map { ($0, body(pixel_conv_kernels($0.rawValue).pointee)) }
    }

    /// Fused levels bit-identical to each other; every level within `tolerance` (relative to max(1, |ref|))
    /// of the reference.
    static func check(
        _ outputs: [(DenseKernels.Level, [Float])], reference: [Double], tolerance: Double, _ what: String
    ) {
        let fused = outputs.filter { $0.0 != .baseline }
        for (level, out) in fused.dropFirst() {
            let differing = zip(out, fused[0].1).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(what): \(level.name) differs from \(fused[0].0.name) in \(differing) outputs")
        }
        for (level, out) in outputs {
            #expect(out.count == reference.count)
            var worst = 0.0
            for (o, r) in zip(out, reference) { worst = Swift.max(worst, abs(Double(o) - r) / Swift.max(1, abs(r))) }
            #expect(worst < tolerance, "\(what): \(level.name) error \(worst)")
        }
    }

    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

    @Test("the active level is one this CPU runs; names round-trip")
    func levelsAndNames() {
        #expect(DenseKernels.activeLevel.rawValue <= DenseKernels.supportedLevel.rawValue)
        for level in DenseKernels.Level.allCases { #expect(pixel_isa_named(level.name) == level.rawValue) }
        #expect(pixel_isa_named("sse9") == -1)
        #expect(pixel_isa_named(nil) == -1)
    }

    @Test("12x32 and 4x32 tiles: bias, GELU, clamp", arguments: [(12, false), (7, true), (3, false), (4, true)])
    func tiles(rows: Int, gelu: Bool) {
        for k in [1, 17, 96] {
            let a = SmallGemmTests.values(12 * k, seed: UInt64(k)), b = SmallGemmTests.values(32 * k, seed: 9)
            let rowBias = SmallGemmTests.values(12, seed: 3), colBias = SmallGemmTests.values(32, seed: 4)
            let (lo, hi): (Float, Float) = gelu ? (-.infinity, .infinity) : (-0.5, 0.75)
            var reference = [Double](repeating: 0, count: rows * 32)
            for r in 0..<rows {
                for j in 0..<32 {
                    var s = 0.0
                    for p in 0..<k { s += Double(a[p * 12 + r]) * Double(b[p * 32 + j]) }
                    s += Double(rowBias[r]) + Double(colBias[j])
                    if gelu { s = Self.gelu(s) }
                    reference[r * 32 + j] = Swift.min(Swift.max(s, Double(lo)), Double(hi))
                }
            }
            let outputs = Self.perLevel { kernels in
                var c = [Float](repeating: .nan, count: rows * 32)
                kernels.tile12x32(k, a, b, &c, 32, rows, rowBias, colBias, gelu ? 1 : 0, lo, hi)
                return c
            }
            Self.check(outputs, reference: reference, tolerance: 1e-5, "tile12x32 rows \(rows) k \(k)")
            guard rows <= 4 else { continue }
            // The 4-row tile: no row bias, no clamp, the same bits as the 12-row tile gives those rows.
            let short = Self.perLevel { kernels in
                var c = [Float](repeating: .nan, count: rows * 32), full = c
                kernels.tile4x32(k, a, b, &c, 32, rows, colBias, gelu ? 1 : 0)
                kernels.tile12x32(k, a, b, &full, 32, rows, nil, colBias, gelu ? 1 : 0, -.infinity, .infinity)
                #expect(zip(c, full).allSatisfy { $0.bitPattern == $1.bitPattern }, "tile4x32 rows \(rows) k \(k)")
                return c
            }
            #expect(short.count == Self.levels.count)
        }
    }

    @Test("small-row GEMM: 64-column blocks and 16-column tails, rows past m repeat the last")
    func smallRows() {
        for (m, k) in [(1, 5), (3, 40), (4, 64), (6, 33)] {
            let n = 112, a = SmallGemmTests.values(m * k, seed: UInt64(m)), b = SmallGemmTests.values(k * n, seed: 2)
            let start = SmallGemmTests.values(m * n, seed: 5)
            var reference = start.map(Double.init)
            for r in 0..<m {
                for j in 0..<n {
                    for p in 0..<k { reference[r * n + j] += Double(a[r * k + p]) * Double(b[p * n + j]) }
                }
            }
            let outputs = Self.perLevel { kernels in
                var c = start
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        var i = 0
                        while i < m {
                            kernels.small_rows4x64(
                                i, m, 0, k, ap.baseAddress!, bp.baseAddress!, bp.baseAddress! + 32, n, &c, n)
                            kernels.small_rows4x16(i, m, 64, n - 64, k, ap.baseAddress!, bp.baseAddress! + 64, n, &c, n)
                            i += 4
                        }
                    }
                }
                return c
            }
            Self.check(outputs, reference: reference, tolerance: 1e-5, "small rows m \(m) k \(k)")
        }
    }

    @Test("attention scores and values")
    func attention() {
        let d = 24, padded = 48, sk = 37, stride = 70
        let q = SmallGemmTests.values(d, seed: 1), kt = SmallGemmTests.values(d * padded, seed: 2)
        var reference = [Double](repeating: 0, count: padded)
        for c in 0..<padded { for t in 0..<d { reference[c] += Double(q[t]) * Double(kt[t * padded + c]) } }
        let scores = Self.perLevel { kernels in
            var out = [Float](repeating: .nan, count: padded)
            kernels.attention_scores(q, kt, d, padded, &out)
            return out
        }
        Self.check(scores, reference: reference, tolerance: 1e-5, "attention scores")
        for dv in [64, 48, 21] {
            let p = SmallGemmTests.values(sk, seed: 3), v = SmallGemmTests.values(sk * stride, seed: 4)
            var expected = [Double](repeating: 0, count: dv)
            for e in 0..<dv { for j in 0..<sk { expected[e] += Double(p[j]) * Double(v[j * stride + e]) } }
            let values = Self.perLevel { kernels in
                var out = [Float](repeating: .nan, count: dv)
                kernels.attention_values(p, v, sk, stride, dv, &out)
                return out
            }
            Self.check(values, reference: expected, tolerance: 1e-5, "attention values dv \(dv)")
        }
    }

    @Test("GELU: the bits of VectorMath.gelu at every level, tails included, extremes finite")
    func geluMatchesSwift() {
        var x = SmallGemmTests.values(1000, seed: 11).map { $0 * 12 }
        x += [0, -0.0, 1e-30, -1e-30, 88, -88, 200, -200, 3.4e38, -3.4e38]
        let n = x.count
        var swift = [Float](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in
            swift.withUnsafeMutableBufferPointer { sp in
                VectorMath.map(xp.baseAddress!, sp.baseAddress!, n) { VectorMath.gelu($0) }
            }
        }
        for level in Self.levels {
            var out = [Float](repeating: .nan, count: n)
            DenseKernels.kernels(level).gelu(x, &out, n)
            let differing = (0..<n).filter { out[$0].bitPattern != swift[$0].bitPattern }
            #expect(differing.isEmpty, "\(level.name): \(differing.prefix(5).map { x[$0] })")
            let worst =
                (0..<n).map { abs(Double(out[$0]) - Self.gelu(Double(x[$0]))) / Swift.max(1, abs(Double(x[$0]))) }
                .max() ?? 0
            #expect(worst < 1e-5, "\(level.name): GELU error \(worst)")
        }
    }

    @Test("dot products: 16-lane partial sums, then the tail")
    func dot() {
        for n in [0, 5, 16, 37, 1280] {
            let a = SmallGemmTests.values(n, seed: 21), b = SmallGemmTests.values(n, seed: 22)
            let reference = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let outputs = Self.perLevel { kernels in [kernels.dot(a, b, n)] }
            Self.check(outputs, reference: [reference], tolerance: 1e-5, "dot n \(n)")
        }
    }

    @Test("conv tiles (12, 4 and 1 positions; 16 or 32 channels; residual) at every level")
    func convTiles() {
        let steps = 19, pstride = 3
        let offsets = (0..<steps).map { ($0 * 7) % 23 + ($0 / 5) * 40 }
        let x = SmallGemmTests.values(400, seed: 31), w = SmallGemmTests.values(steps * 32, seed: 32)
        let bias = SmallGemmTests.values(32, seed: 33), residual = SmallGemmTests.values(64 * 12, seed: 34)
        let (lo, hi): (Float, Float) = (-1.5, 2)
        let second = 12 * 16 + 8
        for positions in [12, 4, 1] {
            for two in [false, true] {
                for withResidual in [false, true] {
                    var reference = [Double](repeating: .nan, count: second + 12 * 16)
                    for q in 0..<positions {
                        for h in 0..<(two ? 2 : 1) {
                            for l in 0..<16 {
                                var s = 0.0
                                for t in 0..<steps {
                                    s += Double(x[offsets[t] + q * pstride]) * Double(w[t * 32 + h * 16 + l])
                                }
                                s = Swift.min(Swift.max(s + Double(bias[h * 16 + l]), Double(lo)), Double(hi))
                                let at = q * 16 + (h == 1 ? second : 0) + l
                                if withResidual { s += Double(residual[at]) }
                                reference[at] = s
                            }
                        }
                    }
                    let written = reference.indices.filter { !reference[$0].isNaN }
                    let outputs = Self.perLevelConv { kernels in
                        var out = [Float](repeating: .nan, count: reference.count)
                        offsets.withUnsafeBufferPointer { ob in
                            residual.withUnsafeBufferPointer { rb in
                                kernels.tile(
                                    positions, two ? 1 : 0, steps, ob.baseAddress, x, pstride, w, bias, &out, second,
                                    withResidual ? rb.baseAddress : nil, lo, hi)
                            }
                        }
                        #expect(
                            out.indices.allSatisfy { reference[$0].isNaN == out[$0].isNaN },
                            "positions \(positions) two \(two): writes outside its outputs")
                        return written.map { out[$0] }
                    }
                    Self.check(
                        outputs, reference: written.map { reference[$0] }, tolerance: 1e-5,
                        "conv tile \(positions) two \(two) residual \(withResidual)")
                }
            }
        }
    }

    @Test(
        "depthwise planes (blocked and plain) against a direct reference",
        arguments: [(1, 1, 1, 1), (2, 2, 1, 2), (1, 2, 2, 0), (2, 1, 1, 3)])
    func depthwise(sy: Int, sx: Int, dilation: Int, pad: Int) {
        let (ih, iw, kh, kw) = (9, 23, 3, 5)
        let oh = (ih + 2 * pad - dilation * (kh - 1) - 1) / sy + 1,
            ow = (iw + 2 * pad - dilation * (kw - 1) - 1) / sx + 1
        let x = SmallGemmTests.values(ih * iw * 16, seed: 41), taps = SmallGemmTests.values(kh * kw * 16, seed: 42)
        let bias = SmallGemmTests.values(16, seed: 43)
        var reference = [Double](repeating: 0, count: oh * ow * 16)
        for oy in 0..<oh {
            for ox in 0..<ow {
                for l in 0..<16 {
                    var s = Double(bias[l])
                    for i in 0..<kh {
                        for j in 0..<kw {
                            let iy = oy * sy - pad + i * dilation, ix = ox * sx - pad + j * dilation
                            guard iy >= 0, iy < ih, ix >= 0, ix < iw else { continue }
                            s += Double(taps[(i * kw + j) * 16 + l]) * Double(x[(iy * iw + ix) * 16 + l])
                        }
                    }
                    reference[(oy * ow + ox) * 16 + l] = Swift.min(Swift.max(s, 0), 6)
                }
            }
        }
        let blocked = Self.perLevelConv { kernels in
            var out = [Float](repeating: .nan, count: oh * ow * 16)
            kernels.depthwise_plane(
                x, &out, taps, bias, ih, iw, oh, ow, pad, pad, kh, kw, sy, sx, dilation, dilation, 0, 6)
            return out
        }
        Self.check(blocked, reference: reference, tolerance: 1e-5, "blocked depthwise \(sy) \(sx) \(dilation) \(pad)")
        guard dilation == 1 else { return }
        // The plain kernel: one channel (lane 0) from a zero-bordered copy, 32 floats of slack per row (the
        // stride-2 loads) and after the last one (the 16-column groups past the row end).
        let ph = Swift.max((oh - 1) * sy + kh, ih + 2 * pad), pw = Swift.max((ow - 1) * sx + kw, iw + 2 * pad) + 32
        var bordered = [Float](repeating: 0, count: ph * pw + 16 * sx + 32)
        for y in 0..<ih { for c in 0..<iw { bordered[(y + pad) * pw + c + pad] = x[(y * iw + c) * 16] } }
        let filter = (0..<(kh * kw)).map { taps[$0 * 16] }
        let plain = Self.perLevel { kernels in
            var out = [Float](repeating: .nan, count: oh * ow)
            kernels.depthwise_plane(bordered, pw, filter, bias[0], &out, oh, ow, sy, sx, kh, kw, 0, 6)
            return out
        }
        Self.check(plain, reference: (0..<(oh * ow)).map { reference[$0 * 16] }, tolerance: 1e-5, "plain depthwise")
    }
}
