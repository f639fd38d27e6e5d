// `PixelBench onnx --model PATH --prefix DIR/PREFIX --threads N [--runs R] [--warmup W] [--profile | --profile-cpu] [--check]`
// (--check compares every output with <PREFIX>output_<name>.npy: max abs diff and min row cosine)
// (--profile-cpu times each operator by the calling thread's CPU time: use it at --threads 1 on a busy machine)
// Runs the model on the reference inputs `<PREFIX>input_<name>.npy` and prints one JSON line:
// {"bench":"onnx","items_per_s":…,"ms_per_run":…,"cpu_ms":… (median process CPU time per run),"batch":…,"threads":…}. Items = the first input's batch size.
import Foundation
import PixelONNX

enum ONNXBench {
    static func value(_ args: [String], _ name: String) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    static func clock(_ id: clockid_t = CLOCK_MONOTONIC) -> Double {
        var t = timespec()
        clock_gettime(id, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Prints, for every output with a reference `<PREFIX>output_<name>.npy`, the max |ours − reference|
    /// and the smallest cosine between matching rows (first dimension).
    static func check(_ model: ONNXModel, feeds: [String: ONNXValue], prefix: String) throws {
        let outputs = try model.run(feeds)
        for d in model.outputs {
            let path = "\(prefix)output_\(d.name).npy"
            guard FileManager.default.fileExists(atPath: path), let got = outputs[d.name] else { continue }
            let want = try NumpyArray.read(path)
            let a = got.floats, b = want.floats
            guard got.shape == want.shape else {
                print("{\"check\": \"\(d.name)\", \"error\": \"shape \(got.shape) vs \(want.shape)\"}")
                continue
            }
            var maxDiff: Float = 0
            for i in a.indices { maxDiff = max(maxDiff, abs(a[i] - b[i])) }
            let rows = max(want.shape.first ?? 1, 1), width = a.count / rows
            var minCosine = 1.0
            for r in 0..<rows {
                var dot = 0.0, na = 0.0, nb = 0.0
                for i in (r * width)..<((r + 1) * width) {
                    dot += Double(a[i]) * Double(b[i])
                    na += Double(a[i]) * Double(a[i])
                    nb += Double(b[i]) * Double(b[i])
                }
                minCosine = min(minCosine, dot / max((na * nb).squareRoot(), .leastNonzeroMagnitude))
            }
            print(
                String(
                    format: "{\"check\": \"%@\", \"shape\": \"%@\", \"max_abs_diff\": %.3e, \"min_row_cosine\": %.12f}",
                    d.name, "\(got.shape)", maxDiff, minCosine))
        }
    }

    /// Returns the process exit code.
    static func run(_ args: [String]) -> Int32 {
        guard let modelPath = value(args, "--model"), let prefix = value(args, "--prefix") else {
            print("usage: PixelBench onnx --model PATH --prefix DIR/PREFIX [--threads N] [--runs R] [--warmup W]")
            return 2
        }
        let threads = Int(value(args, "--threads") ?? "1") ?? 1
        let runs = Int(value(args, "--runs") ?? "20") ?? 20
        let warmup = Int(value(args, "--warmup") ?? "3") ?? 3
        do {
            let model = try ONNXModel(contentsOf: modelPath)
            model.threads = threads
            var feeds: [String: ONNXValue] = [:]
            for d in model.inputs { feeds[d.name] = try NumpyArray.read("\(prefix)input_\(d.name).npy") }
            let batch = model.inputs.first.flatMap { feeds[$0.name]?.shape.first } ?? 1
            for _ in 0..<max(warmup, 1) { _ = try model.run(feeds) }
            let profile =
                args.contains("--profile") || args.contains("--profile-cpu")
                ? OperatorProfile(threadCPUTime: args.contains("--profile-cpu")) : nil
            model.profile = profile
            var times: [Double] = [], cpu: [Double] = []
            for _ in 0..<max(runs, 1) {
                let start = clock(), cpuStart = clock(CLOCK_PROCESS_CPUTIME_ID)
                _ = try model.run(feeds)
                times.append(clock() - start)
                cpu.append(clock(CLOCK_PROCESS_CPUTIME_ID) - cpuStart)
            }
            if args.contains("--check") { try check(model, feeds: feeds, prefix: prefix) }
            times.sort()
            cpu.sort()
            let median = times[times.count / 2]
            let line = String(
                format:
                    "{\"bench\": \"onnx\", \"items_per_s\": %.3f, \"ms_per_run\": %.3f, \"min_ms\": %.3f, \"cpu_ms\": %.3f, \"batch\": %d, \"threads\": %d, \"isa\": \"%@\"}",
                Double(batch) / median, median * 1000, (times.first ?? median) * 1000, cpu[cpu.count / 2] * 1000,
                batch, threads, DenseKernels.activeLevel.name)
            print(line)
            if let profile { print(profile.report(top: Int(value(args, "--top") ?? "15") ?? 15)) }
            return 0
        } catch {
            print("error: \(error)")
            return 1
        }
    }
}
