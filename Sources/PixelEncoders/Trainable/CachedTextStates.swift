import PixelTensor

/// The trainable text path of an item tower: an item's text vector is a trainable top run on its cached
/// hidden states, pooled — `pool(top(states))` `[B, E]`, differentiable in the top's parameters — instead
/// of its frozen text-store row. Items without text get a zero row, as in the feature store.
///
/// Rows are in the caller's item index space (`itemIDs`), mapped once to the cache's rows. Everything the
/// per-batch path could trip on (unknown items, another cut or width, non-finite states) is checked here,
/// once, so that ``textRows(_:top:)`` cannot fail on file contents.
public final class CachedTextStates: @unchecked Sendable {
    public let cache: HiddenStateCache
    /// Cache row of each of the caller's items.
    public let cacheRows: [Int]

    /// - Parameters:
    ///   - cut, width: what the top reads (``TrainableEncoderTop/cut``, ``TrainableEncoderTop/width``).
    /// - Throws: `EncoderError.invalidArgument` naming the first item the cache does not hold, or a cache
    ///   made for another cut or width; `.corruptStore` naming an item with a non-finite state.
    public init(cache: HiddenStateCache, itemIDs: [String], cut: String, width: Int) throws {
        guard cache.identity.cut == cut, cache.width == width else {
            throw EncoderError.invalidArgument(
                "\(cache.path): states at \(cache.identity.cut) (width \(cache.width)), but the top reads \(cut) "
                    + "(width \(width)); run pixelrec encode")
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
        try cache.checkFinite(rows: Array(Set(rows)).sorted())
        self.cache = cache
        self.cacheRows = rows
    }

    /// Text vectors `[items.count, E]` of the caller's items through `top` (recorded for gradients unless
    /// the caller turned recording off). Cost: the top blocks on `[B, L, E]`, `L` = the batch's longest text.
    /// - Precondition: `items` index the caller's items, and `top` reads this cache's cut and width (the
    ///   caller's invariants; the file's contents were checked at init).
    public func textRows(_ items: [Int32], top: TrainableEncoderTop) -> Tensor {
        precondition(
            items.allSatisfy { (0..<cacheRows.count).contains(Int($0)) } && top.cut == cache.identity.cut
                && top.width == cache.width, "CachedTextStates: items or top outside what init checked")
        let rows = items.map { cacheRows[Int($0)] }
        do {
            var (states, mask, l) = try cache.batch(rows)
            // An item without text attends to one zero state (every key masked would give NaN) and its
            // pooled vector is zeroed below.
            var present = [Float](repeating: 1, count: rows.count)
            for (b, row) in rows.enumerated() where cache.lengths[row] == 0 {
                mask[b * l] = 1
                present[b] = 0
            }
            let hidden = try top(Tensor(shape: [rows.count, l, top.width], scalars: states), attentionMask: mask)
            let pooled = try top.pool(hidden, attentionMask: mask)
            guard present.contains(0) else { return pooled }
            return pooled * Tensor(shape: [rows.count, 1], scalars: present)
        } catch {
            // Rows, widths and finiteness were checked at init and the mapping is of a file replaced only by
            // rename: an error here is a bug, not a file to report.
            preconditionFailure("CachedTextStates: \(error)")
        }
    }

    /// Every item's text vector `[itemCount, E]` row-major through `top`, without recording (eval,
    /// recommend, item-vector caches), in batches of `batchSize` items.
    public func allRows(top: TrainableEncoderTop, batchSize: Int = 64) -> [Float] {
        let n = cacheRows.count, e = top.width, size = max(1, batchSize)
        var out = [Float](repeating: 0, count: n * e)
        Autograd.withoutRecording {
            for start in stride(from: 0, to: n, by: size) {
                let end = min(n, start + size)
                let rows = textRows((start..<end).map { Int32($0) }, top: top).scalars
                for k in 0..<rows.count { out[start * e + k] = rows[k] }
            }
        }
        return out
    }
}
