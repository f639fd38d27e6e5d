import Foundation
import Synchronization
import Testing

@testable import PixelONNX

@Suite("ONNX worker pool")
struct WorkerPoolTests {
    /// Every part of every job runs exactly once, for part counts around the thread counts.
    @Test("each part runs exactly once", arguments: [0, 200])
    func partsRunOnce(spinMicroseconds: Int) {
        // A private pool: spinning (200 µs) and parking at once (0 µs) take different wake-up paths.
        let pool = WorkerPool(spinMicroseconds: spinMicroseconds)
        for parts in [1, 2, 3, 4, 5, 7, 8, 9] {
            for _ in 0..<50 {
                let counts = Mutex([Int](repeating: 0, count: parts))
                pool.run(parts: parts) { p in counts.withLock { $0[p] += 1 } }
                let seen = counts.withLock { $0 }
                #expect(seen == [Int](repeating: 1, count: parts), "\(parts) parts: \(seen)")
            }
        }
        #expect(pool.workers == 8)
    }

    /// `parallelChunks` covers `0..<count` with disjoint chunks, each index once, for many counts,
    /// minimum sizes and thread counts, and never makes more chunks than threads.
    @Test("parallelChunks covers every index exactly once")
    func chunksCoverEveryIndex() {
        let settings = ExecutionSettings()
        for threads in [1, 2, 3, 4, 8] {
            settings.threads = threads
            for count in [0, 1, 2, 3, 5, 8, 17, 64, 100, 1000, 4097] {
                for minimum in [0, 1, 2, 7, 64] {
                    let hits = Mutex([Int](repeating: 0, count: count))
                    let chunks = Atomic<Int>(0)
                    settings.parallelChunks(count, minimumPerThread: minimum) { range in
                        chunks.add(1, ordering: .relaxed)
                        hits.withLock { for i in range { $0[i] += 1 } }
                    }
                    let seen = hits.withLock { $0 }
                    let wrong = (0..<count).filter { seen[$0] != 1 }
                    #expect(
                        wrong.isEmpty,
                        "threads \(threads) count \(count) minimum \(minimum): indices \(wrong.prefix(5)) not hit once")
                    #expect(chunks.load(ordering: .relaxed) <= Swift.max(threads, 1))
                }
            }
        }
    }

    /// A `parallelChunks` inside a chunk (on a worker or on the caller) runs serially instead of waiting
    /// for the busy pool, so it completes, and still covers every index.
    @Test("nested calls do not deadlock")
    func nestedCallsComplete() {
        let settings = ExecutionSettings()
        settings.threads = 4
        let n = 64, m = 48
        let hits = Mutex([Int](repeating: 0, count: n * m))
        for _ in 0..<20 {
            settings.parallelChunks(n, minimumPerThread: 1) { outer in
                for i in outer {
                    settings.parallelChunks(m, minimumPerThread: 1) { inner in
                        hits.withLock { for j in inner { $0[i * m + j] += 1 } }
                    }
                }
            }
        }
        #expect(hits.withLock { $0 } == [Int](repeating: 20, count: n * m))
    }

    /// Jobs submitted from several threads at once (two models in parallel) all complete, each part once.
    @Test("concurrent callers complete")
    func concurrentCallers() {
        let settings = ExecutionSettings()
        settings.threads = 2
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 {
                settings.parallelChunks(10, minimumPerThread: 1) { range in total.add(range.count, ordering: .relaxed) }
            }
        }
        #expect(total.load(ordering: .relaxed) == 4 * 500 * 10)
    }
}

@Suite("ONNX models at 1 and 2 threads")
struct ThreadCountEquivalenceTests {
    /// Every kernel's chunks write disjoint outputs computed the same way whichever thread runs them, so the
    /// outputs at 2 threads equal those at 1 thread bit for bit.
    @Test(
        "2 threads give the same outputs as 1 thread",
        arguments: [
            ReferenceCase(model: "real/minilm-l6-v2/all-MiniLM-L6-v2.onnx", prefix: "single_"),
            ReferenceCase(model: "real/minilm-l6-v2/all-MiniLM-L6-v2.onnx", prefix: "batch32_"),
            ReferenceCase(model: "real/efficientnet-lite0/efficientnet-lite0.onnx", prefix: "single_"),
            ReferenceCase(model: "tiny/clip/tiny-clip-vision.onnx", prefix: "vision_batch4_"),
            ReferenceCase(model: "tiny/resnet/tiny-resnet.onnx", prefix: "batch4_"),
            ReferenceCase(model: "tiny/vit/tiny-vit.onnx", prefix: "batch4_"),
        ])
    func sameOutputs(_ c: ReferenceCase) throws {
        guard TestPaths.exists(c.modelPath) else {
            print("skipped \(c): \(c.modelPath) is absent (set PIXELREC_SHARED)")
            return
        }
        let model = try ONNXModel(contentsOf: c.modelPath)
        let feeds = try c.inputs(for: model)
        model.threads = 1
        let one = try model.run(feeds)
        model.threads = 2
        let two = try model.run(feeds)
        model.threads = 1
        for d in model.outputs {
            let x = try #require(one[d.name]), y = try #require(two[d.name])
            #expect(x.shape == y.shape)
            let diff = Compare.maxAbsDiff(x.floats, y.floats)
            #expect(diff == 0, "\(c) \(d.name): 1 vs 2 threads max abs diff \(diff)")
        }
    }
}
