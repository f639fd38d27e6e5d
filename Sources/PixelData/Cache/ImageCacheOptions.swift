import PixelConfig

/// Options of `SharedImageCache`.
public struct ImageCacheOptions: Sendable, Equatable {
    /// Default `.hybrid`.
    public var strategy: CacheStrategy = .hybrid
    /// Memory LRU capacity in entries. Default 10 000.
    public var maxMemoryItems = 10_000
    /// Disk cache directory (required by `.hybrid` and `.disk`).
    public var directory: String? = nil
    /// Names the preprocessing (e.g. `"resize=224,crop=center,norm=imagenet,v1"`); part of every key,
    /// so changing the preprocessing never serves stale tensors.
    public var descriptor: String

    public init(
        strategy: CacheStrategy = .hybrid, maxMemoryItems: Int = 10_000, directory: String? = nil,
        descriptor: String
    ) {
        self.strategy = strategy
        self.maxMemoryItems = maxMemoryItems
        self.directory = directory
        self.descriptor = descriptor
    }
}

/// Counters of a `SharedImageCache`.
public struct ImageCacheStatistics: Sendable, Equatable {
    public var memoryHits = 0
    public var diskHits = 0
    /// Requests that ran the preprocessing.
    public var misses = 0
    /// Disk entries rejected (other version, descriptor or path, changed source, corrupt) and recomputed.
    public var staleDiskEntries = 0
    /// Entries dropped from memory to keep at most `maxMemoryItems` (disk entries stay).
    public var evictions = 0

    public var hits: Int { memoryHits + diskHits }
}
