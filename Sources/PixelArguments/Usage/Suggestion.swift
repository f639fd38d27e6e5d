/// "Did you mean …?": the closest candidate by edit distance, case-insensitively.
///
/// Public so that other modules (configuration keys, column names) suggest the same way the parser does.
public enum Suggestion {
    /// The candidate nearest to `typed`, or `nil` when none is close enough.
    ///
    /// Distance is the optimal-string-alignment distance (insert, delete, substitute, swap two adjacent
    /// characters, each costing 1) on lowercased text, with `_` read as `-`. A candidate is close when the
    /// distance is at most `max(1, candidate.count / 3)` and smaller than the candidate's length, or when
    /// `typed` (at least 3 characters besides leading dashes) is a prefix of exactly one candidate. Ties go to
    /// the first declared.
    public static func closest(to typed: String, among candidates: [String]) -> String? {
        let key = normalized(typed)
        guard !key.isEmpty else { return nil }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(key, normalized(candidate))
            let limit = max(1, candidate.count / 3)
            if d <= limit, d < candidate.count, d < (best?.distance ?? .max) {
                best = (candidate, d)
            }
        }
        if let best { return best.candidate }
        let prefixed = candidates.filter { normalized($0).starts(with: key) }
        return key.drop(while: { $0 == "-" }).count >= 3 && prefixed.count == 1 ? prefixed[0] : nil
    }

    private static func normalized(_ text: String) -> [Character] {
        text.lowercased().map { $0 == "_" ? "-" : $0 }
    }

    /// Optimal string alignment distance between `a` and `b`, exactly as written (case-sensitive): the
    /// fewest insertions, deletions, substitutions and swaps of adjacent characters, no substring edited
    /// twice. `distance("kitten", "sitting") == 3`, `distance("sampel", "sample") == 1`.
    public static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a), Array(b))
    }

    /// `O(|a|·|b|)` time with three rolling rows.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, beforePrevious[j - 2] + 1)
                }
                current[j] = d
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
