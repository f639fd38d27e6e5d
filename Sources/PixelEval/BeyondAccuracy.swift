import Foundation

/// Beyond-accuracy metrics of recommendation lists (definitions in `docs/METRICS.md`).
///
/// Lists are `[users, maxK]` item indices, rank order, `-1` padded; `@k` uses each list's first `k`.
public enum BeyondAccuracy {
    /// Catalog coverage: `|∪_u L_u| / catalogSize`.
    public static func coverage(lists: [Int32], width: Int, k: Int, catalogSize: Int) -> Double {
        guard catalogSize > 0 else { return 0 }
        var seen = [Bool](repeating: false, count: catalogSize)
        var distinct = 0
        forEachSlot(lists, width: width, k: k) { _, item in
            if Int(item) < catalogSize && !seen[Int(item)] {
                seen[Int(item)] = true
                distinct += 1
            }
        }
        return Double(distinct) / Double(catalogSize)
    }

    /// Gini index of item exposure: with counts `c_i` of every catalog item (zeros included) sorted
    /// ascending and `n = catalogSize`, `G = Σ_i (2i − n − 1) c_i / (n Σ c_i)` (i from 1).
    public static func gini(lists: [Int32], width: Int, k: Int, catalogSize: Int) -> Double {
        guard catalogSize > 0 else { return 0 }
        var counts = [Int](repeating: 0, count: catalogSize)
        forEachSlot(lists, width: width, k: k) { _, item in
            if Int(item) < catalogSize { counts[Int(item)] += 1 }
        }
        counts.sort()
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let n = Double(catalogSize)
        var sum = 0.0
        for (index, c) in counts.enumerated() { sum += (2 * Double(index + 1) - n - 1) * Double(c) }
        return sum / (n * Double(total))
    }

    /// Per-user novelty: mean over the list's slots of `−log2(pop_i / N)`, `pop_i` the item's training
    /// interactions (1 when it has none), `N` all training interactions. `nil` for an empty list.
    public static func novelty(list: ArraySlice<Int32>, popularity: [Int], trainInteractions: Int) -> Double? {
        var sum = 0.0, slots = 0
        for item in list where item >= 0 {
            let pop = Int(item) < popularity.count ? max(1, popularity[Int(item)]) : 1
            sum += -log2(Double(pop) / Double(max(1, trainInteractions)))
            slots += 1
        }
        return slots > 0 ? sum / Double(slots) : nil
    }

    /// Per-user intra-list diversity: mean over unordered pairs of `1 − cos(e_a, e_b)`; `nil` for
    /// lists shorter than 2.
    public static func intraListDiversity(list: ArraySlice<Int32>, similarity: any ItemSimilarity) -> Double? {
        let items = list.filter { $0 >= 0 }
        guard items.count >= 2 else { return nil }
        var sum = 0.0, pairs = 0
        for a in 0..<items.count {
            for b in a + 1..<items.count {
                sum += 1 - Double(similarity.cosine(items[a], items[b]))
                pairs += 1
            }
        }
        return sum / Double(pairs)
    }

    /// Per-user serendipity: mean over the list's first `k` slots of `rel_j · (1 − mean_{h ∈ H} cos(L_j, h))`
    /// with `H` the user's training items (an empty history counts as similarity 0).
    public static func serendipity(
        list: ArraySlice<Int32>, k: Int, relevant: ArraySlice<Int32>, history: ArraySlice<Int32>,
        similarity: any ItemSimilarity
    ) -> Double {
        let slots = list.prefix(k).filter { $0 >= 0 }
        guard !slots.isEmpty else { return 0 }
        var sum = 0.0
        for item in slots where relevant.contains(item) {
            var mean = 0.0
            if !history.isEmpty {
                for h in history { mean += Double(similarity.cosine(item, h)) }
                mean /= Double(history.count)
            }
            sum += 1 - mean
        }
        return sum / Double(slots.count)
    }

    static func forEachSlot(_ lists: [Int32], width: Int, k: Int, _ body: (Int, Int32) -> Void) {
        guard width > 0 else { return }
        let users = lists.count / width
        for u in 0..<users {
            for j in 0..<min(k, width) {
                let item = lists[u * width + j]
                if item >= 0 { body(u, item) }
            }
        }
    }
}
