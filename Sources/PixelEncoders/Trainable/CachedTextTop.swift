import PixelTensor

/// The trainable text path of an item tower: an item's text vector is the imported top blocks run on its
/// cached hidden states, pooled — `pool(top(states))` `[B, E]`, differentiable in the top's parameters —
/// instead of its frozen text-store row. Items without text get a zero row, as in the feature store.
///
/// Rows are in the caller's item index space (`itemIDs`), mapped once to the cache's rows.
public final class CachedTextTop: @unchecked Sendable {
    public let top: TrainableEncoderTop
    public let cache: HiddenStateCache
    /// Cache row of each of the caller's items.
    public let cacheRows: [Int]

    /// - Throws: `EncoderError.invalidArgument` naming the first item the cache does not hold, or a cache
    ///   made for another cut or width than `top`'s.
    public init(top: TrainableEncoderTop, cache: HiddenStateCache, itemIDs: [String]) throws {
        guard cache.identity.cut == top.cut, cache.width == top.width else {
            throw EncoderError.invalidArgument(
                "\(cache.path): states at \(cache.identity.cut) (width \(cache.width)), but the top reads \(top.cut) "
                    + "(width \(top.width)); run pixelrec encode")
        }
        var rows: [Int] = []
        rows.reserveCapacity(itemIDs.count)
        for id in itemIDs {
            guard let row = cache.index[id] else {
                throw EncoderError.invalidArgument(
                    "\(cache.path): item \(FeatureStore.quoted(id)) has no cached states; run pixelrec encode")
            }
            rows.append(row)
        }
        self.top = top
        self.cache = cache
        self.cacheRows = rows
    }

    /// Text vectors `[items.count, E]` of the caller's items `items`; recorded for gradients unless the
    /// caller turned recording off. Cost: the top blocks on `[B, L, E]`, `L` = the longest text of the batch.
    /// - Throws: `EncoderError.corruptStore` for a non-finite cached state; `.invalidArgument` for an
    ///   index out of range.
    public func textRows(_ items: [Int32]) throws -> Tensor {
        for item in items where !(0..<cacheRows.count).contains(Int(item)) {
            throw EncoderError.invalidArgument("encoder top: item index \(item) is not in 0..<\(cacheRows.count)")
        }
        let rows = items.map { cacheRows[Int($0)] }
        var (states, mask, l) = try cache.batch(rows)
        // An item without text attends to one zero state (every key masked would give NaN) and its pooled
        // vector is zeroed below.
        var present = [Float](repeating: 1, count: rows.count)
        for (b, row) in rows.enumerated() where cache.lengths[row] == 0 {
            mask[b * l] = 1
            present[b] = 0
        }
        let hidden = try top(Tensor(shape: [rows.count, l, top.width], scalars: states), attentionMask: mask)
        let pooled = try top.pool(hidden, attentionMask: mask)
        guard present.contains(0) else { return pooled }
        return pooled * Tensor(shape: [rows.count, 1], scalars: present)
    }

    /// Every item's text vector `[itemCount, E]` row-major, without recording (eval, recommend, item-vector
    /// caches), in batches of `batchSize` items.
    public func allRows(batchSize: Int = 64) throws -> [Float] {
        let n = cacheRows.count, e = top.width
        var out = [Float](repeating: 0, count: n * e)
        try Autograd.withoutRecording {
            for start in stride(from: 0, to: n, by: max(1, batchSize)) {
                let end = min(n, start + max(1, batchSize))
                let rows = try textRows((start..<end).map { Int32($0) }).scalars
                for k in 0..<rows.count { out[start * e + k] = rows[k] }
            }
        }
        return out
    }
}
