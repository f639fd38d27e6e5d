import Foundation
import PixelCore
import Synchronization

/// A thread-safe cache of preprocessed image tensors (`[Float]`) keyed by image path + preprocessing
/// descriptor, with the strategies of `CacheStrategy` (`data.image_cache_config.strategy`).
///
/// The preprocessing is injected (`(path) throws -> [Float]`; the image encoder provides the real one).
/// Disk entries are one file per key, `<directory>/<fnv64(descriptor ⧺ 0 ⧺ path)>.pxc`, laid out as
/// (little-endian): `"PXIC"`, `UInt32` version (1), `UInt32` descriptor length + bytes, `UInt32` path
/// length + bytes, `Int64` source size, `Int64` source mtime (ns), `UInt32` count, `count × Float32`.
/// An entry whose header does not match (version, descriptor, path, source size/mtime) or is truncated
/// is recomputed and rewritten; entries are written atomically.
public final class SharedImageCache: Sendable {
    public static let diskFormatVersion: UInt32 = 1

    public let options: ImageCacheOptions
    let preprocess: @Sendable (String) throws -> [Float]
    let state: Mutex<State>

    struct State {
        var lru = LRUStore(capacity: 0)
        var statistics = ImageCacheStatistics()
    }

    /// - Throws: `DataError.invalidOption` when a disk strategy has no directory or the capacity is negative.
    public init(options: ImageCacheOptions, preprocess: @escaping @Sendable (String) throws -> [Float]) throws {
        if options.strategy == .hybrid || options.strategy == .disk {
            guard let directory = options.directory, !directory.isEmpty else {
                throw DataError.invalidOption(
                    name: "image_cache.directory", reason: "required by the \(options.strategy.rawValue) strategy")
            }
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw DataError.io(path: directory, reason: "cannot create cache directory")
            }
        }
        guard options.maxMemoryItems >= 0 else {
            throw DataError.invalidOption(name: "image_cache.max_memory_items", reason: "must be ≥ 0")
        }
        self.options = options
        self.preprocess = preprocess
        var initial = State()
        initial.lru = LRUStore(
            capacity: options.strategy == .memory || options.strategy == .hybrid ? options.maxMemoryItems : 0)
        state = Mutex(initial)
    }

    /// Hit/miss counters so far.
    public var statistics: ImageCacheStatistics { state.withLock { $0.statistics } }

    /// Entries in memory.
    public var memoryCount: Int { state.withLock { $0.lru.count } }

    /// The preprocessed tensor of the image at `path`, from memory, disk, or by running the preprocessing.
    /// - Throws: whatever the preprocessing throws, or `DataError.io` when a disk entry cannot be written.
    public func features(for path: String) throws -> [Float] {
        let useMemory = options.strategy == .memory || options.strategy == .hybrid
        let useDisk = options.strategy == .disk || options.strategy == .hybrid
        if useMemory,
            let cached = state.withLock({ state -> [Float]? in
                guard let value = state.lru.get(path) else { return nil }
                state.statistics.memoryHits += 1
                return value
            })
        {
            return cached
        }
        if useDisk {
            switch readDisk(path) {
            case let .hit(value):
                state.withLock { state in
                    state.statistics.diskHits += 1
                    if useMemory && state.lru.put(path, value) { state.statistics.evictions += 1 }
                }
                return value
            case .stale:
                state.withLock { $0.statistics.staleDiskEntries += 1 }
            case .absent:
                break
            }
        }
        let value = try preprocess(path)
        state.withLock { state in
            state.statistics.misses += 1
            if useMemory && state.lru.put(path, value) { state.statistics.evictions += 1 }
        }
        if useDisk { try writeDisk(path, value) }
        return value
    }

    /// Fills the cache for `paths` on `workers` threads (precompute at startup), `batchSize` images at a time
    /// (each batch split over the workers; `data.image_cache_config.preprocessing_batch_size`).
    /// - Parameter skipFailures: leave out the images whose preprocessing fails (they fail again, and are
    ///   reported, where they are used) instead of stopping at the first.
    /// - Returns: how many were computed (not already cached) and in how many batches.
    /// - Throws: the first preprocessing error, unless `skipFailures`.
    @discardableResult
    public func precompute(
        _ paths: [String], workers: Int = 2, batchSize: Int = 50, skipFailures: Bool = false,
        progress: PixelCore.Progress? = nil
    ) throws -> (computed: Int, batches: Int) {
        let before = statistics.misses
        let failure = FirstError()
        let batchSize = max(1, batchSize)
        var batches = 0
        var start = 0
        while start < paths.count && !failure.isSet {
            let batch = paths[start..<min(paths.count, start + batchSize)]
            let workers = max(1, min(workers, batch.count))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var k = batch.startIndex + worker
                while k < batch.endIndex && !failure.isSet {
                    do { _ = try features(for: batch[k]) } catch { if !skipFailures { failure.set(error) } }
                    progress?.advance()
                    k += workers
                }
            }
            batches += 1
            start = batch.endIndex
        }
        if let error = failure.error { throw error }
        return (statistics.misses - before, batches)
    }

    /// Empties the memory LRU (disk entries stay).
    public func clearMemory() {
        state.withLock { $0.lru.removeAll() }
    }

    // MARK: Disk

    enum DiskResult {
        case hit([Float])
        case stale
        case absent
    }

    /// The disk file of `path`.
    public func diskPath(for path: String) -> String? {
        guard let directory = options.directory else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(options.descriptor.utf8) + [0] + Array(path.utf8) {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return directory + "/" + String(h, radix: 16).leftPadded(to: 16) + ".pxc"
    }

    static func sourceStamp(_ path: String) -> (size: Int64, mtime: Int64) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (-1, -1) }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    func header(_ path: String) -> [UInt8] {
        var bytes = Array("PXIC".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        u32(Self.diskFormatVersion)
        let descriptor = Array(options.descriptor.utf8), source = Array(path.utf8)
        u32(UInt32(descriptor.count))
        bytes += descriptor
        u32(UInt32(source.count))
        bytes += source
        let stamp = Self.sourceStamp(path)
        i64(stamp.size)
        i64(stamp.mtime)
        return bytes
    }

    func readDisk(_ path: String) -> DiskResult {
        guard let file = diskPath(for: path), let data = FileManager.default.contents(atPath: file) else {
            return .absent
        }
        let expected = header(path)
        guard data.count >= expected.count + 4, data.prefix(expected.count).elementsEqual(expected) else {
            return .stale
        }
        let count = data.withUnsafeBytes {
            Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: expected.count, as: UInt32.self)))
        }
        guard data.count == expected.count + 4 + count * 4 else { return .stale }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(expected.count + 4)...]))
            }
        }
        #if _endian(big)
            values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #endif
        return .hit(values)
    }

    func writeDisk(_ path: String, _ values: [Float]) throws {
        guard let file = diskPath(for: path) else { return }
        var bytes = header(path)
        withUnsafeBytes(of: UInt32(values.count).littleEndian) { bytes += $0 }
        values.withUnsafeBytes { bytes += $0 }
        try AtomicFile.write(Data(bytes), to: file)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
