/// Greedy longest-match-first WordPiece (BERT, MPNet): a word becomes the longest vocabulary prefix,
/// then the longest `##`-prefixed continuation, and so on; a word with any unmatched remainder, or
/// longer than `maxInputCharsPerWord` scalars, becomes the single unknown token.
struct WordPieceModel: Sendable {
    let vocabulary: [String: Int]
    let unknownID: Int
    var continuingPrefix = "##"
    var maxInputCharsPerWord = 100

    /// Appends the ids of `word` to `ids`.
    func encode(word: String, into ids: inout [Int]) {
        let scalars = Array(word.unicodeScalars)
        if scalars.count > maxInputCharsPerWord {
            ids.append(unknownID)
            return
        }
        if let whole = vocabulary[word] {
            ids.append(whole)
            return
        }
        var pieces: [Int] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int? = nil
            while end > start {
                var candidate = String.UnicodeScalarView()
                if start > 0 { candidate.append(contentsOf: continuingPrefix.unicodeScalars) }
                candidate.append(contentsOf: scalars[start..<end])
                if let id = vocabulary[String(candidate)] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces)
    }
}
