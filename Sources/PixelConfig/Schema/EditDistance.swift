/// Optimal-string-alignment distance (Levenshtein plus transposition of neighbours) for
/// "did you mean …?" suggestions.
enum EditDistance {
    /// Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars)
        let t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        let width = t.count + 1
        var table = [Int](repeating: 0, count: (s.count + 1) * width)
        for j in 0...t.count { table[j] = j }
        for i in 1...s.count {
            table[i * width] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var best = min(
                    table[(i - 1) * width + j] + 1, table[i * width + j - 1] + 1, table[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    best = min(best, table[(i - 2) * width + j - 2] + 1)
                }
                table[i * width + j] = best
            }
        }
        return table[s.count * width + t.count]
    }

    /// The candidate nearest to `word` when it is close enough to be a likely misspelling: at most one
    /// edit for words up to 4 characters, two up to 8, three beyond; ties go to the earlier candidate.
    /// A case-insensitive match always qualifies.
    static func closest(to word: String, among candidates: [String]) -> String? {
        if word.count > 200 { return nil }
        if let exact = candidates.first(where: { $0.lowercased() == word.lowercased() }) { return exact }
        let limit = word.count <= 4 ? 1 : word.count <= 8 ? 2 : 3
        var best: (name: String, distance: Int)?
        for candidate in candidates where abs(candidate.count - word.count) <= limit {
            let d = distance(word, candidate)
            if d <= limit, d < word.count, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.name
    }
}
