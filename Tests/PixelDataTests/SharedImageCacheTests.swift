import Foundation
import PixelConfig
import Synchronization
import Testing

@testable import PixelData

@Suite("Shared image cache")
struct SharedImageCacheTests {
    final class Counter: Sendable {
        let calls = Mutex(0)
    }

    static func makeCache(
        _ strategy: CacheStrategy, directory: String? = nil, capacity: Int = 2, descriptor: String = "v1"
    ) throws -> (SharedImageCache, Counter) {
        let counter = Counter()
        let cache = try SharedImageCache(
            options: ImageCacheOptions(
                strategy: strategy, maxMemoryItems: capacity, directory: directory, descriptor: descriptor)
        ) { path in
            counter.calls.withLock { $0 += 1 }
            return [Float(path.count), 1.5, -2]
        }
        return (cache, counter)
    }

    @Test func memoryLRUEvictsLeastRecentlyUsed() throws {
        let (cache, counter) = try Self.makeCache(.memory)
        _ = try cache.features(for: "a")
        _ = try cache.features(for: "bb")
        _ = try cache.features(for: "a")  // a is now most recent
        _ = try cache.features(for: "ccc")  // evicts bb
        _ = try cache.features(for: "a")
        _ = try cache.features(for: "bb")  // evicts ccc
        #expect(counter.calls.withLock { $0 } == 4)
        #expect(cache.statistics == ImageCacheStatistics(memoryHits: 2, diskHits: 0, misses: 4, evictions: 2))
        #expect(cache.memoryCount == 2)
    }

    @Test func diskEntriesSurviveAndAreKeyedByDescriptor() throws {
        let directory = temporaryDirectory()
        let image = temporaryFile("fake image bytes", name: "x.jpg")
        let (first, _) = try Self.makeCache(.disk, directory: directory)
        let value = try first.features(for: image)
        let (second, counter) = try Self.makeCache(.hybrid, directory: directory)
        #expect(try second.features(for: image) == value)
        #expect(try second.features(for: image) == value)
        #expect(counter.calls.withLock { $0 } == 0)
        #expect(second.statistics.diskHits == 1 && second.statistics.memoryHits == 1)
        let (other, otherCounter) = try Self.makeCache(.disk, directory: directory, descriptor: "v2")
        _ = try other.features(for: image)
        #expect(otherCounter.calls.withLock { $0 } == 1)
    }

    @Test func corruptOrChangedEntriesAreRecomputed() throws {
        let directory = temporaryDirectory()
        let image = temporaryFile("abc", name: "y.jpg")
        let (cache, counter) = try Self.makeCache(.disk, directory: directory)
        _ = try cache.features(for: image)
        let entry = try #require(cache.diskPath(for: image))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: entry))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: entry))
        _ = try cache.features(for: image)
        #expect(counter.calls.withLock { $0 } == 2 && cache.statistics.staleDiskEntries == 1)
        try Data("changed source".utf8).write(to: URL(fileURLWithPath: image))
        _ = try cache.features(for: image)
        #expect(counter.calls.withLock { $0 } == 3)
    }

    @Test func disabledAlwaysRecomputesAndDiskNeedsDirectory() throws {
        let (cache, counter) = try Self.makeCache(.disabled)
        _ = try cache.features(for: "a")
        _ = try cache.features(for: "a")
        #expect(counter.calls.withLock { $0 } == 2)
        #expect(throws: DataError.self) { try Self.makeCache(.hybrid) }
    }

    @Test func concurrentPrecompute() throws {
        let (cache, counter) = try Self.makeCache(.memory, capacity: 1000)
        let paths = (0..<500).map { "p\($0 % 250)" }
        try cache.precompute(paths, workers: 2)
        #expect(cache.memoryCount == 250)
        #expect(counter.calls.withLock { $0 } >= 250 && counter.calls.withLock { $0 } <= 500)
        #expect(cache.statistics.hits + cache.statistics.misses == 500)
    }

    @Test("precompute in batches: ⌈n / batch⌉ batches, each path computed once (batches run one after another)")
    func batchedPrecompute() throws {
        let (cache, counter) = try Self.makeCache(.memory, capacity: 1000)
        let paths = (0..<100).map { "p\($0)" } + (0..<20).map { "p\($0)" }
        let (computed, batches) = try cache.precompute(paths, workers: 2, batchSize: 7)
        #expect(batches == 18)  // ⌈120 / 7⌉
        #expect(computed == 100 && counter.calls.withLock { $0 } == 100)
        #expect(cache.statistics.memoryHits == 20)
    }
}
