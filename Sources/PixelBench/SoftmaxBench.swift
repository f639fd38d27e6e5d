import Foundation
import PixelTensor

/// `seq-softmax`: the sampled-softmax loss of a sequence step alone — logits `[M, N]` of `M` queries
/// against `N` candidates (width `d`), log-Q correction, forward and both gradients — fused
/// (``dotProductSoftmaxCrossEntropy(queries:candidates:targets:logQ:threads:blockRows:products:)``) or, with
/// `--unfused`, as `matmul` → `−` → `softmaxCrossEntropy` → backward. Prints wall and CPU ms per call.
///
///     PixelBench seq-softmax [--m 12800] [--n 12336] [--dim 64] [--threads 1] [--blas-threads 1]
///                            [--rows 0 (auto)] [--steps 5] [--unfused]
enum SoftmaxBench {
    static let commands = ["seq-softmax"]

    static func run(_ command: String, _ arguments: [String]) throws {
        TensorStorage.retainFreedMemory()
        let m = option("--m", 12_800), n = option("--n", 12_336), d = option("--dim", 64)
        let threads = option("--threads", 1), rows = option("--rows", 0), steps = option("--steps", 5)
        let unfused = CommandLine.arguments.contains("--unfused")
        var generator = RandomGenerator(seed: 5)
        let queries = Tensor.randomNormal(shape: [m, d], std: 0.3, generator: &generator).requiringGrad()
        let candidates = Tensor.randomNormal(shape: [n, d], std: 0.3, generator: &generator).requiringGrad()
        let targets = (0..<m).map { _ in Int32(generator.nextInt(below: n)) }
        let logQ = (0..<n).map { _ in -3 - 8 * generator.nextUniform() }
        BLAS.setThreadCount(option("--blas-threads", 1))
        var wall: [Double] = [], cpu: [Double] = []
        var loss: Float = 0
        for s in 0..<(steps + 1) {
            let c0 = processCPU(), t0 = now()
            let value: Tensor
            if unfused {
                let logits = matmul(queries, candidates, transposeB: true) - Tensor(shape: [1, n], scalars: logQ)
                value = softmaxCrossEntropy(logits, targets: targets)
            } else {
                value = dotProductSoftmaxCrossEntropy(
                    queries: queries, candidates: candidates, targets: targets, logQ: logQ, threads: threads,
                    blockRows: rows > 0 ? rows : nil)
            }
            let g = value.gradients()
            precondition(g[queries] != nil && g[candidates] != nil)
            loss = value.scalar
            guard s > 0 else { continue }
            wall.append(now() - t0)
            cpu.append(processCPU() - c0)
        }
        let flops = 6.0 * Double(m) * Double(n) * Double(d)
        let best = wall.min() ?? 1
        print(
            String(
                format: "{\"bench\": \"seq-softmax\", \"m\": %d, \"n\": %d, \"d\": %d, \"threads\": %d, \"rows\": %d, "
                    + "\"unfused\": %@, \"median_ms\": %.1f, \"min_ms\": %.1f, \"cpu_ms\": %.1f, \"gflops\": %.1f, "
                    + "\"loss\": %.6f}",
                m, n, d, threads, rows, unfused ? "true" : "false", 1000 * SequenceBench.median(wall), 1000 * best,
                1000 * SequenceBench.median(cpu), flops / best / 1e9, loss))
    }
}
