import CBLAS

/// Software prefetch of rows about to be read at random addresses — embedding and feature-store
/// gathers — so the memory latency of the next rows overlaps the copy of the current one. A hint only: no effect on any value.
public enum Prefetch {
    /// Hints the cache lines covering `count` floats at `p` for reading.
    @inlinable @inline(__always)
    public static func read(_ p: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i < count {
            pixelrec_prefetch(p + i)
            i &+= 16
        }
    }

    /// How many rows ahead gathers prefetch: far enough to cover a DRAM miss behind one row copy.
    public static let rowDistance = 4
}
