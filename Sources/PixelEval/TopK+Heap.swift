extension TopK {
    /// Offers `(score, index)` to the heap `values/indices[0 ..< size]` of capacity `k` when candidates
    /// arrive in any index order (full tie rule: higher score, then lower index, is better).
    /// - Returns: the new size.
    @inline(__always)
    static func offer(
        values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, size: Int, k: Int,
        score: Float, index: Int32
    ) -> Int {
        if size < k {
            var child = size
            while child > 0 {
                let parent = (child - 1) / 2
                guard values[parent] > score || (values[parent] == score && indices[parent] < index) else { break }
                values[child] = values[parent]
                indices[child] = indices[parent]
                child = parent
            }
            values[child] = score
            indices[child] = index
            return size + 1
        }
        if score > values[0] || (score == values[0] && index < indices[0]) {
            siftDown(values: values, indices: indices, size: size, score: score, index: index)
        }
        return size
    }

    /// Sorts a heap built by `offer`/`select` into rank order (best first), in place.
    static func sortHeap(values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, size: Int) {
        var end = size
        while end > 1 {
            end -= 1
            let lastScore = values[end], lastIndex = indices[end]
            values[end] = values[0]
            indices[end] = indices[0]
            siftDown(values: values, indices: indices, size: end, score: lastScore, index: lastIndex)
        }
    }
}
