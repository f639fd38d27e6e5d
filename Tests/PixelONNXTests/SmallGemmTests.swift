import Testing

@testable import PixelONNX

@Suite("ONNX few-rows GEMM")
struct SmallGemmTests {
    /// Deterministic values in [-1, 1) from a fixed-seed linear congruential generator.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// Reading W from the load-time ``PackedGemm/PackedColumns`` (32-column panels) gives the same bits as
    /// reading the row-major W, for widths with and without a 64-column tail; both agree with a
    /// double-precision reference within 1e-5 relative.
    @Test("packed columns give the same bits as row-major W", arguments: [1, 2, 3, 4, 5, 13, 32])
    func packedMatchesRowMajor(m: Int) {
        let settings = ExecutionSettings()
        for threads in [1, 2] {
            settings.threads = threads
            for (k, n) in [(1, 16), (7, 32), (33, 48), (64, 64), (20, 80), (96, 112), (5, 128), (40, 176)] {
                let a = Self.values(m * k, seed: UInt64(m * 1000 + k)), w = Self.values(k * n, seed: UInt64(n * 7 + k))
                let bias = Self.values(n, seed: UInt64(n))
                var plain = [Float](repeating: 0, count: m * n)
                for r in 0..<m { for j in 0..<n { plain[r * n + j] = bias[j] } }
                var packed = plain
                let columns = PackedGemm.PackedColumns(w, k: k, n: n, bias: bias)
                a.withUnsafeBufferPointer { ap in
                    w.withUnsafeBufferPointer { wp in
                        plain.withUnsafeMutableBufferPointer { cp in
                            SmallGemm.multiply(
                                m: m, n: n, k: k, a: ap.baseAddress!, b: wp.baseAddress!, c: cp.baseAddress!,
                                accumulate: true, settings: settings)
                        }
                    }
                    packed.withUnsafeMutableBufferPointer { cp in
                        SmallGemm.multiply(
                            m: m, a: ap.baseAddress!, columns: columns, c: cp.baseAddress!, settings: settings)
                    }
                }
                let differing = (0..<(m * n)).filter { plain[$0].bitPattern != packed[$0].bitPattern }
                #expect(differing.isEmpty, "m \(m) k \(k) n \(n) threads \(threads): \(differing.count) outputs differ")
                var worst = 0.0
                for r in 0..<m {
                    for j in 0..<n {
                        var s = Double(bias[j])
                        for p in 0..<k { s += Double(a[r * k + p]) * Double(w[p * n + j]) }
                        worst = Swift.max(worst, abs(Double(packed[r * n + j]) - s) / Swift.max(1, abs(s)))
                    }
                }
                #expect(worst < 1e-5, "m \(m) k \(k) n \(n): relative error \(worst)")
            }
        }
    }
}
