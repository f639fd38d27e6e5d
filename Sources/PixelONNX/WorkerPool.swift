import Foundation
import Synchronization

/// Persistent worker threads for ``ExecutionSettings/parallelChunks(_:minimumPerThread:_:)``.
///
/// `DispatchQueue.concurrentPerform` wakes its threads on every call; a batch-1 transformer runs hundreds
/// of kernels of a few tens of microseconds, and the wake-up was a large part of each. Here the workers
/// spin for a short while (``spinNanoseconds``, yielding the core between checks) after each job, watching
/// one atomic word, and only then park on a condition variable; the caller publishes a job by storing that
/// word, so a job that follows another closely starts on every thread at once.
///
/// Parts are claimed from a shared counter by the workers and by the caller alike: a worker that has not
/// woken yet only means the caller runs more parts itself, never that it waits for the wake-up. Which
/// thread runs a part never changes what the part computes.
///
/// One job at a time: a call made while the pool is busy (a nested call from inside a part, or a second
/// model running on another thread) runs its parts serially on the calling thread, so nesting cannot
/// deadlock.
final class WorkerPool: @unchecked Sendable {
    /// The pool used by every model.
    static let shared = WorkerPool()

    /// How long an idle worker spins before it parks (default 200 µs; `PIXELREC_ONNX_SPIN_US` overrides).
    let spinNanoseconds: UInt64

    /// The job word: generation in bits 32..<63, part count in bits 16..<32, next unclaimed part in bits 0..<16.
    private let word = Atomic<Int>(0)
    /// Parts of the current job not yet finished.
    private let remaining = Atomic<Int>(0)
    /// Set while a caller owns the pool.
    private let owned = Atomic<Bool>(false)
    /// Workers waiting on the condition variable.
    private let parked = Atomic<Int>(0)
    /// The current job's body; written only by the owner while no part can be claimed.
    private var body: ((Int) -> Void)?
    private var workerCount = 0
    private let growLock = NSLock()
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    static let maximumParts = 0xFFFF

    init(spinMicroseconds: Int? = nil) {
        let fromEnvironment = ProcessInfo.processInfo.environment["PIXELREC_ONNX_SPIN_US"].flatMap { Int($0) }
        spinNanoseconds = UInt64(Swift.max(0, spinMicroseconds ?? fromEnvironment ?? 200)) * 1000
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    /// Worker threads started so far (they live as long as the process).
    var workers: Int {
        growLock.lock()
        defer { growLock.unlock() }
        return workerCount
    }

    /// Runs `body(p)` for every `p` in `0..<parts`, each exactly once, on up to `parts` threads (the
    /// caller's included); returns when all have finished.
    func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || parts > Self.maximumParts
            || !owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        {
            for p in 0..<parts { body(p) }
            return
        }
        defer { owned.store(false, ordering: .releasing) }
        grow(to: parts - 1)
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            remaining.store(parts, ordering: .relaxed)
            let generation = ((word.load(ordering: .relaxed) >> 32) + 1) & 0x7FFF_FFFF
            // Sequentially consistent with the `parked` load below and the worker's pair (Dekker): either
            // the caller sees a parked worker and signals it, or the worker sees the new generation.
            word.store(generation << 32 | parts << 16, ordering: .sequentiallyConsistent)
            if parked.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            while let p = claim(generation) {
                escaping(p)
                remaining.subtract(1, ordering: .releasing)
            }
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 64 { sched_yield() }
            }
            self.body = nil
        }
    }

    /// Claims the next part of job `generation`, or nil when it has none left (or is not current).
    @inline(__always)
    private func claim(_ generation: Int) -> Int? {
        var current = word.load(ordering: .relaxed)
        while true {
            let parts = (current >> 16) & 0xFFFF, next = current & 0xFFFF
            if current >> 32 != generation || next >= parts { return nil }
            let (exchanged, original) = word.compareExchange(
                expected: current, desired: current + 1,
                ordering: .acquiringAndReleasing)
            if exchanged { return next }
            current = original
        }
    }

    /// Starts workers until there are `count`.
    private func grow(to count: Int) {
        growLock.lock()
        defer { growLock.unlock() }
        while workerCount < count {
            let seen = word.load(ordering: .acquiring) >> 32
            let thread = Thread { [self] in work(seen: seen) }
            thread.name = "pixelrec-onnx-\(workerCount + 1)"
            thread.start()
            workerCount += 1
        }
    }

    private func work(seen start: Int) -> Never {
        var seen = start
        while true {
            seen = waitForJob(after: seen)
            while let p = claim(seen) {
                runPart(p)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }

    /// Runs one part; the copy of the body is released before returning (the owner clears `body` as soon
    /// as the last part is counted, and the closure must not outlive `withoutActuallyEscaping`).
    @inline(never)
    private func runPart(_ p: Int) {
        if let body { body(p) }
    }

    /// Spins, then parks, until the generation differs from `seen`; returns the new generation.
    private func waitForJob(after seen: Int) -> Int {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var spins = 0
        while true {
            let generation = word.load(ordering: .acquiring) >> 32
            if generation != seen { return generation }
            spins += 1
            // After a short pure spin, give the core away on every check: on a loaded machine a
            // spinning worker would otherwise take time slices from the thread it waits for.
            if spins > 64 { sched_yield() }
            if spins & 15 == 0 {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let elapsed = Int64(now.tv_sec - start.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec - start.tv_nsec)
                if elapsed >= Int64(spinNanoseconds) { break }
            }
        }
        pthread_mutex_lock(mutex)
        parked.add(1, ordering: .sequentiallyConsistent)
        var generation = word.load(ordering: .sequentiallyConsistent) >> 32
        while generation == seen {
            pthread_cond_wait(condition, mutex)
            generation = word.load(ordering: .sequentiallyConsistent) >> 32
        }
        parked.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return generation
    }
}
