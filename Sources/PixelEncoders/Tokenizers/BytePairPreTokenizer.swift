/// The regular-expression splits of byte-level BPE tokenizers, written as scanners over Unicode scalars
/// (leftmost match, alternatives in order, as the Rust `regex` crate does).
enum BytePairPreTokenizer: String, Sendable {
    /// CLIP: `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`,
    /// unmatched text (whitespace) dropped. Applied after NFC, whitespace collapsing and lowercasing.
    case clip
    /// GPT-2 / RoBERTa: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    /// (covers the whole text, so spaces travel with the following word as `Ġ`).
    case gpt2

    /// The pieces of `text`, as UTF-8 bytes.
    func pieces(_ text: String) -> [[UInt8]] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [[UInt8]] = []
        var index = 0
        let n = scalars.count
        func emit(_ range: Range<Int>) {
            var bytes: [UInt8] = []
            for scalar in scalars[range] { bytes.append(contentsOf: String(scalar).utf8) }
            pieces.append(bytes)
        }
        func contraction(at i: Int) -> Int? {
            guard i < n, scalars[i] == "'" else { return nil }
            if i + 2 < n {
                let a = scalars[i + 1], b = scalars[i + 2]
                if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return i + 3 }
            }
            if i + 1 < n {
                let a = scalars[i + 1]
                if a == "s" || a == "t" || a == "m" || a == "d" { return i + 2 }
            }
            return nil
        }
        func isOther(_ s: Unicode.Scalar) -> Bool {
            !UnicodeClasses.isWhitespace(s) && !UnicodeClasses.isLetter(s) && !UnicodeClasses.isNumber(s)
        }
        func run(from i: Int, while predicate: (Unicode.Scalar) -> Bool) -> Int {
            var j = i
            while j < n && predicate(scalars[j]) { j += 1 }
            return j
        }
        switch self {
        case .clip:
            while index < n {
                let s = scalars[index]
                if let end = contraction(at: index) {
                    emit(index..<end)
                    index = end
                } else if UnicodeClasses.isLetter(s) {
                    let end = run(from: index, while: UnicodeClasses.isLetter)
                    emit(index..<end)
                    index = end
                } else if UnicodeClasses.isNumber(s) {
                    emit(index..<(index + 1))
                    index += 1
                } else if UnicodeClasses.isWhitespace(s) {
                    index += 1
                } else {
                    let end = run(from: index, while: isOther)
                    emit(index..<end)
                    index = end
                }
            }
        case .gpt2:
            while index < n {
                if let end = contraction(at: index) {
                    emit(index..<end)
                    index = end
                    continue
                }
                let s = scalars[index]
                let start = index
                var head = index
                if s == " ", index + 1 < n, !UnicodeClasses.isWhitespace(scalars[index + 1]) { head = index + 1 }
                let h = scalars[head]
                if UnicodeClasses.isLetter(h) {
                    index = run(from: head, while: UnicodeClasses.isLetter)
                } else if UnicodeClasses.isNumber(h) {
                    index = run(from: head, while: UnicodeClasses.isNumber)
                } else if !UnicodeClasses.isWhitespace(h) {
                    index = run(from: head, while: isOther)
                } else {
                    // Whitespace run: all of it at the end of text, else all but the last (which then
                    // prefixes the next word); a single whitespace before a word is handled above
                    // unless it is not a plain space.
                    let end = run(from: index, while: UnicodeClasses.isWhitespace)
                    if end == n || end - index == 1 {
                        index = end
                    } else {
                        index = end - 1
                    }
                }
                emit(start..<index)
            }
        }
        return pieces
    }
}
