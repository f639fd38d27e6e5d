/// Partial top-k selection over one row of scores, without sorting the row.
///
/// Order: higher score first; equal scores by lower index (the recommendation-list tie rule of
/// `docs/METRICS.md`). `NaN` and `-infinity` never enter a list (masked items are `-infinity`).
///
/// A fixed-size min-heap holds the best `k` so far; its root is the current threshold. The row is
/// scanned 16 lanes at a time and a chunk is looked at element by element only when some lane beats
/// the threshold, so for `n ≫ k` the cost is one vector compare per 16 scores plus `O(k log(n/k) log k)`
/// heap updates on random data.
public enum TopK {
    /// Writes the top `k` of `scores[0 ..< count]` as item indices (and their scores) in rank order.
    /// - Parameters:
    ///   - indices, values: room for `k` entries each.
    /// - Returns: how many were written (`< k` when fewer than `k` scores are finite).
    @discardableResult
    public static func select(
        _ scores: UnsafePointer<Float>, count: Int, k: Int,
        indices: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>
    ) -> Int {
        guard k > 0 else { return 0 }
        var size = 0
        var threshold = -Float.infinity
        @inline(__always) func offer(_ i: Int, _ s: Float) {
            // Scanning in increasing index: an equal score never displaces an earlier item.
            guard s > threshold else { return }
            if size < k {
                // Sift up: the root is the worst (lowest score; on ties the highest index).
                var child = size
                size += 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    if values[parent] > s || (values[parent] == s && indices[parent] < Int32(i)) {
                        values[child] = values[parent]
                        indices[child] = indices[parent]
                        child = parent
                    } else {
                        break
                    }
                }
                values[child] = s
                indices[child] = Int32(i)
                if size == k { threshold = values[0] }
                return
            }
            siftDown(values: values, indices: indices, size: size, score: s, index: Int32(i))
            threshold = values[0]
        }
        var i = 0
        let raw = UnsafeRawPointer(scores)
        while i + 16 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            if any(chunk .> SIMD16(repeating: threshold)) {
                for lane in 0..<16 { offer(i + lane, chunk[lane]) }
            }
            i += 16
        }
        while i < count {
            offer(i, scores[i])
            i += 1
        }
        sortHeap(values: values, indices: indices, size: size)
        return size
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
