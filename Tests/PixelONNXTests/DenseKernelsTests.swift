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
}
