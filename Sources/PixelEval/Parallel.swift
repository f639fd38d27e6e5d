import CBLAS
import Dispatch
import Foundation
import Synchronization

/// Work spread over a fixed number of workers, each pulling chunks of an index range from a shared
/// counter (so uneven chunks still balance).
enum Parallel {
    /// The number of cores to use by default.
    static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(range, worker)` for consecutive chunks of `0 ..< count`, from `workers` threads.
    /// `worker` is in `0 ..< workers`, so callers can keep one scratch buffer per worker.
    static func forEachChunk(
        count: Int, chunk: Int, workers: Int, _ body: (Range<Int>, Int) -> Void
    ) {
        guard count > 0 else { return }
        let chunk = max(1, chunk)
        let workers = max(1, min(workers, (count + chunk - 1) / chunk))
        if workers == 1 {
            var start = 0
            while start < count {
                body(start..<min(count, start + chunk), 0)
                start += chunk
            }
            return
        }
        let next = Counter()
        withoutActuallyEscaping(body) { body in
            // The body writes disjoint parts of caller-owned buffers; Dispatch wants a Sendable closure.
            let work = UncheckedBody(call: body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while true {
                    let start = next.value.add(chunk, ordering: .relaxed).oldValue
                    guard start < count else { return }
                    work.call(start..<min(count, start + chunk), worker)
                }
            }
        }
    }

    /// Runs `body` with OpenBLAS limited to one thread (our own workers are the parallelism), then
    /// restores the previous setting.
    static func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        let previous = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return try body()
    }

    struct UncheckedBody: @unchecked Sendable {
        let call: (Range<Int>, Int) -> Void
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
