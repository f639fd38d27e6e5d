/// Partial top-k selection over rows of scores, without sorting the rows.
///
/// Order: higher score first; equal scores by lower index (the recommendation-list tie rule of
/// `docs/METRICS.md`). `NaN` and `-infinity` never enter a list (masked items are `-infinity`).
///
/// A fixed-size min-heap holds the best `k` so far; its root is the current threshold. A row is
/// scanned 64 scores at a time and a block is looked at element by element only when some score reaches
/// the threshold, so for `n ≫ k` the cost is about one vector compare per 16 scores plus `O(k log(n/k) log k)`
/// heap updates on random data. A row may be fed in consecutive pieces (`scan` keeps a `Stream`), which
/// lets the evaluator rank cache-sized tiles of a score matrix.
///
/// The stream also counts `tiesOutside`: items whose score equals the final k-th score but that did not
/// make the list (a later index). With it, the number of items scoring `≥ s` is known exactly for every
/// `s ≥` the k-th score without a second pass — what pessimistic tie handling needs.
public enum TopK {
    /// The state of one row's selection across `scan` calls.
    public struct Stream: Sendable {
        /// Entries in the heap (≤ k).
        public var size = 0
        /// The heap root's score once the heap is full, `-infinity` before.
        public var threshold = -Float.infinity
        /// Items scanned with a score equal to `threshold` that are not in the heap.
        public var tiesOutside = 0

        public init() {}
    }

    /// Feeds `scores[0 ..< count]`, the scores of items `offset ..< offset + count`, to the heap
    /// `values/indices` (capacity `k`) of `stream`. Pieces of one row must come in increasing `offset`.
    @inline(__always)
    public static func scan(
        _ scores: UnsafePointer<Float>, count: Int, offset: Int, k: Int,
        indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>, stream: inout Stream
    ) {
        guard k > 0 else { return }
        var i = 0
        let raw = UnsafeRawPointer(scores)
        // 64 scores per step: four vector compares OR-ed; the element-wise path is a separate,
        // non-inlined function so the optimizer cannot fold the vector test into it.
        while i + 64 <= count {
            let t = SIMD16<Float>(repeating: stream.threshold)
            let c0 = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let c1 = raw.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD16<Float>.self)
            let c2 = raw.loadUnaligned(fromByteOffset: (i &+ 32) &* 4, as: SIMD16<Float>.self)
            let c3 = raw.loadUnaligned(fromByteOffset: (i &+ 48) &* 4, as: SIMD16<Float>.self)
            if any((c0 .>= t) .| (c1 .>= t) .| (c2 .>= t) .| (c3 .>= t)) {
                offerEach(
                    scores + i, count: 64, offset: offset + i, k: k, indices: indices, values: values, stream: &stream)
            }
            i += 64
        }
        if i < count {
            offerEach(
                scores + i, count: count - i, offset: offset + i, k: k, indices: indices, values: values,
                stream: &stream)
        }
    }

    /// The element-wise path of `scan`.
    @inline(never)
    static func offerEach(
        _ scores: UnsafePointer<Float>, count: Int, offset: Int, k: Int,
        indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>, stream: inout Stream
    ) {
        var size = stream.size, threshold = stream.threshold, ties = stream.tiesOutside
        for j in 0..<count {
            let s = scores[j], i = offset + j
            if size < k {
                // Not full: every finite score enters (strict `>` rejects -inf and NaN).
                guard s > -.infinity else { continue }
                var child = size
                size += 1
                // Sift up: the root is the worst (lowest score; on ties the highest index).
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard values[parent] > s || (values[parent] == s && indices[parent] < Int32(i)) else { break }
                    values[child] = values[parent]
                    indices[child] = indices[parent]
                    child = parent
                }
                values[child] = s
                indices[child] = Int32(i)
                if size == k {
                    threshold = values[0]
                    ties = 0
                }
                continue
            }
            if s > threshold {
                // The evicted root scored `threshold`; if the new root ties with it, it is a tie outside.
                let evicted = threshold
                siftDown(values: values, indices: indices, size: size, score: s, index: Int32(i))
                threshold = values[0]
                ties = threshold == evicted ? ties + 1 : 0
            } else if s == threshold {
                // Scanning in increasing index: an equal score never displaces an earlier item.
                ties += 1
            }
        }
        stream.size = size
        stream.threshold = threshold
        stream.tiesOutside = ties
    }

    /// Writes the top `k` of `scores[0 ..< count]` as item indices (and their scores) in rank order.
    /// - Parameters:
    ///   - indices, values: room for `k` entries each.
    /// - Returns: how many were written (`< k` when fewer than `k` scores are finite).
    @discardableResult
    public static func select(
        _ scores: UnsafePointer<Float>, count: Int, k: Int,
        indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>
    ) -> Int {
        var stream = Stream()
        scan(scores, count: count, offset: 0, k: k, indices: indices, values: values, stream: &stream)
        sortHeap(values: values, indices: indices, size: stream.size)
        return stream.size
    }

    /// Replaces the root of the heap `values/indices[0 ..< size]` with `(score, index)` and restores order.
    @inline(__always)
    static func siftDown(
        values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, size: Int, score: Float, index: Int32
    ) {
        @inline(__always) func worse(_ a: Int, than b: Int) -> Bool {
            values[a] < values[b] || (values[a] == values[b] && indices[a] > indices[b])
        }
        var parent = 0
        while true {
            var child = 2 * parent + 1
            if child >= size { break }
            if child + 1 < size && worse(child + 1, than: child) { child += 1 }
            let childWorse = values[child] < score || (values[child] == score && indices[child] > index)
            guard childWorse else { break }
            values[parent] = values[child]
            indices[parent] = indices[child]
            parent = child
        }
        values[parent] = score
        indices[parent] = index
    }

    /// The number of `scores[0 ..< count]` that are `>= threshold` (`NaN` never counts).
    public static func countAtLeast(_ scores: UnsafePointer<Float>, count: Int, threshold: Float) -> Int {
        let raw = UnsafeRawPointer(scores)
        let limit = SIMD16<Float>(repeating: threshold)
        var lanes = SIMD16<Int32>(repeating: 0)
        var i = 0
        // Lane counters hold at most count / 16 < 2³¹ for any row that fits in memory.
        while i + 16 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            lanes &-= unsafeBitCast(chunk .>= limit, to: SIMD16<Int32>.self)
            i += 16
        }
        var total = Int(lanes.wrappedSum())
        while i < count {
            if scores[i] >= threshold { total += 1 }
            i += 1
        }
        return total
    }
}
