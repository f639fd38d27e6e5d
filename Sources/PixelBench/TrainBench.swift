// PixelBench: `PixelBench <bench> [options]`, one subcommand per benchmark; prints one JSON object per line.
//   train-step --threads N --steps S [--warmup W]   steps/s of forward + backward + AdamW (Pixel200K)
//   gemm --threads N                               GFLOP/s of the network's largest matmul vs sgemm peak
//   memory --steps S --every K                     peak RSS every K training steps
import CBLAS
import PixelCore
import PixelNN
import PixelOptim
import PixelTensor

#if canImport(Glibc)
    import Glibc
#endif

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}

/// CPU seconds used by the whole process (all threads): robust to other processes sharing the cores.
func processCPU() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Peak resident set size (VmHWM) and current (VmRSS) in MiB, from /proc/self/status.
func residentMiB() -> (peak: Double, current: Double) {
    guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
    defer { fclose(f) }
    var peak = 0.0, current = 0.0
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let s = String(decoding: bytes, as: UTF8.self)
        let kb = Double(s.split(separator: " ").compactMap { Double($0) }.first ?? 0)
        if s.hasPrefix("VmHWM:") { peak = kb / 1024 }
        if s.hasPrefix("VmRSS:") { current = kb / 1024 }
    }
    return (peak, current)
}

struct Trainer {
    let model: FusionNetwork
    let optimizer: AdamW
    var batches: [Batch] = []
    var next = 0

    init(seed: UInt64) {
        model = FusionNetwork(userCount: 200_000, itemCount: 100_000, seed: seed)
        optimizer = AdamW(namedParameters: model.namedParameters(), learningRate: 1e-3, weightDecay: 0.01)
        var generator = RandomGenerator(seed: seed &+ 99)
        for _ in 0..<8 {
            batches.append(.random(positives: 256, userCount: 200_000, itemCount: 100_000, generator: &generator))
        }
    }

    /// Seconds spent in forward, backward and optimizer over all steps so far.
    var phases = (forward: 0.0, backward: 0.0, optimizer: 0.0)

    mutating func step() -> Float {
        let batch = batches[next % batches.count]
        next += 1
        let t0 = now()
        let loss = model.loss(batch)
        let value = loss.scalar
        let t1 = now()
        let grads = loss.gradients()
        let t2 = now()
        optimizer.step(grads)
        let t3 = now()
        phases.forward += t1 - t0
        phases.backward += t2 - t1
        phases.optimizer += t3 - t2
        return value
    }
}

func trainStep() {
    let threads = option("--threads", 1), steps = option("--steps", 50), warmup = option("--warmup", 5)
    BLAS.setThreadCount(threads)
    var trainer = Trainer(seed: 1)
    var last: Float = 0
    for _ in 0..<warmup { last = trainer.step() }
    trainer.phases = (0, 0, 0)
    let start = now(), startCPU = processCPU()
    for _ in 0..<steps { last = trainer.step() }
    let seconds = now() - start, cpu = processCPU() - startCPU
    let ms = { (t: Double) in (t / Double(steps) * 1e4).rounded() / 10 }
    print(
        "{\"bench\": \"train-step\", \"steps_per_s\": \(Double(steps) / seconds), \"threads\": \(threads), \"steps\": \(steps), "
            + "\"forward_ms\": \(ms(trainer.phases.forward)), \"backward_ms\": \(ms(trainer.phases.backward)), "
            + "\"optimizer_ms\": \(ms(trainer.phases.optimizer)), \"cpu_ms_per_step\": \(ms(cpu)), \"loss\": \(last)}")
}

/// Best-of-`repeats` GFLOP/s of `C[m,n] = A[m,k]·B[n,k]ᵀ`.
func gemmRate(m: Int, n: Int, k: Int, repeats: Int) -> Double {
    var g = RandomGenerator(seed: 5)
    let a = Tensor.randomNormal(shape: [m, k], generator: &g), b = Tensor.randomNormal(shape: [n, k], generator: &g)
    var c = Tensor(zeros: [m, n])
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = now()
        c.withUnsafeMutableBufferPointer { cp in
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    BLAS.gemm(
                        transposeA: false, transposeB: true, m: m, n: n, k: k, a: ap.baseAddress!, lda: k,
                        b: bp.baseAddress!, ldb: k, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        best = min(best, now() - start)
    }
    return 2 * Double(m * n * k) / best / 1e9
}

func gemm() {
    let threads = option("--threads", 1)
    BLAS.setThreadCount(threads)
    // The largest matmul of a training step: MLP layer 2 forward, [512, 512]·[256, 512]ᵀ (134 MFLOP).
    // Alternate the two measurements and keep the best of each: the machine is shared, and a burst of
    // outside load should not land on one side only.
    var largest = 0.0, peak = 0.0
    // Peak: the best square sgemm of a few sizes, each short enough (≤ 2 GFLOP) to fit in a scheduler
    // time slice on a shared machine.
    for _ in 0..<8 {
        largest = max(largest, gemmRate(m: 512, n: 256, k: 512, repeats: 10))
        for size in [512, 768, 1024] { peak = max(peak, gemmRate(m: size, n: size, k: size, repeats: 3)) }
    }
    print("{\"bench\": \"gemm\", \"largest_gflops\": \(largest), \"peak_gflops\": \(peak), \"threads\": \(threads)}")
}

func memory() {
    let steps = option("--steps", 10_000), every = option("--every", 1000)
    BLAS.setThreadCount(option("--threads", 1))
    var trainer = Trainer(seed: 2)
    for s in 1...steps {
        _ = trainer.step()
        if s % every == 0 {
            let rss = residentMiB()
            print("{\"bench\": \"memory\", \"step\": \(s), \"peak_rss_mib\": \(rss.peak), \"rss_mib\": \(rss.current)}")
        }
    }
}

/// The autograd engine's benchmarks (`make bench BENCH=train`).
enum TrainBench {
    static let commands = ["train-step", "gemm", "memory"]

    static func run(_ command: String, _ arguments: [String]) throws {
        BLAS.relaunchWithBetterCoreIfNeeded()
        Terminal.lineBufferStdout()
        TensorStorage.retainFreedMemory()
        switch command {
        case "train-step": trainStep()
        case "gemm": gemm()
        default: memory()
        }
    }
}
