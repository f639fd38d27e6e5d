import CPixelKernels
import Testing

/// The dot-product softmax's tiled products (CPixelKernels' `pixel_dps_*`) at every instruction-set level
/// this CPU runs, the fallbacks forced by asking for them: AVX-512 and AVX2 give the same bits, baseline (no
/// FMA) agrees within 1e-5 of a double-precision reference, relative to the largest output.
@Suite("Dot-product softmax products per instruction set")
struct SoftmaxKernelLevelTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// Fused levels bit-identical; every level within 1e-5 of `reference` relative to its largest entry.
    static func check(_ outputs: [(Int32, [Float])], _ reference: [Double], _ what: String) {
        let fused = outputs.filter { $0.0 != Int32(PIXEL_ISA_BASELINE) }
        for (level, out) in fused.dropFirst() {
            #expect(zip(out, fused[0].1).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(what): level \(level)")
        }
        let top = reference.map { Swift.abs($0) }.max() ?? 1
        for (level, out) in outputs {
            let worst = zip(out, reference).map { Swift.abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * Swift.max(top, 1), "\(what): level \(level) error \(worst)")
        }
    }

    @Test("logits, ∂Q and ∂C", arguments: [16, 48, 128])
    func products(d: Int) {
        let levels = (Int32(PIXEL_ISA_BASELINE)...pixel_isa_supported())
        let rows = 13, n = 45, padded = pixel_dps_padded(n), stride = pixel_dps_stride(n)
        let q = Self.values(rows * d, seed: UInt64(d)), c = Self.values(n * d, seed: 7)
        let logQ = Self.values(n, seed: 8)
        var packed = [Float](repeating: 0, count: padded * d), shift = [Float](repeating: 0, count: padded)
        pixel_dps_pack(c, n, d, logQ, &packed, &shift)
        var logits = [Double](repeating: 0, count: rows * n)
        for r in 0..<rows {
            for j in 0..<n {
                var s = -Double(logQ[j])
                for k in 0..<d { s += Double(q[r * d + k]) * Double(c[j * d + k]) }
                logits[r * n + j] = s
            }
        }
        // e: the logits as the fused op holds them (row stride `stride`), reused as the weights of ∂Q and ∂C.
        var e = [Float](repeating: 0, count: rows * stride)
        for r in 0..<rows { for j in 0..<n { e[r * stride + j] = Float(logits[r * n + j]) } }
        var dq = [Double](repeating: 0, count: rows * d), dc = [Double](repeating: 0, count: n * d)
        for r in 0..<rows {
            for j in 0..<n {
                for k in 0..<d {
                    dq[r * d + k] += Double(e[r * stride + j]) * Double(c[j * d + k])
                    dc[j * d + k] += Double(e[r * stride + j]) * Double(q[r * d + k])
                }
            }
        }
        var outLogits: [(Int32, [Float])] = [], outDQ: [(Int32, [Float])] = [], outDC: [(Int32, [Float])] = []
        for level in levels {
            let kernels = pixel_dps_kernels(level).pointee
            var out = [Float](repeating: 0, count: rows * stride), rowMax = [Float](repeating: 0, count: rows)
            var scratch = [Float](repeating: 0, count: 16 * rows)
            kernels.logits(q, rows, d, packed, shift, n, &out, stride, &rowMax, &scratch)
            outLogits.append((level, (0..<(rows * n)).map { out[($0 / n) * stride + $0 % n] }))
            for r in 0..<rows {
                #expect(rowMax[r] == (0..<n).map { out[r * stride + $0] }.max(), "level \(level) row \(r) maximum")
            }
            var q1 = [Float](repeating: 0, count: rows * d), c1 = [Float](repeating: 0, count: n * d)
            kernels.dq(e, stride, rows, c, n, d, &q1)
            kernels.dc(e, stride, rows, q, n, d, &c1, 0)
            outDQ.append((level, q1))
            outDC.append((level, c1))
        }
        Self.check(outLogits, logits, "logits d \(d)")
        Self.check(outDQ, dq, "∂Q d \(d)")
        Self.check(outDC, dc, "∂C d \(d)")
    }
}
