import Foundation

/// A Hugging Face–compatible text tokenizer: BERT/MPNet WordPiece or RoBERTa/CLIP byte-level BPE.
///
/// Pipeline (as `tokenizers` runs it): split out special tokens written in the text → normalize and
/// pre-tokenize → model (WordPiece or BPE) → truncate the content to `maxLength − 2` → add the start and
/// end tokens (`[CLS] … [SEP]`, `<s> … </s>`, `<|startoftext|> … <|endoftext|>`).
/// Load one with ``TextTokenizer/load(directory:)``.
public struct TextTokenizer: Sendable {
    /// The tokenizer family; decides pre-tokenization, special tokens and defaults.
    public enum Kind: String, Sendable, CaseIterable {
        /// WordPiece, `[CLS] … [SEP]`, token type ids.
        case bert
        /// WordPiece with `<s> … </s>` (ids 0 and 2), no token type ids.
        case mpnet
        /// Byte-level BPE (GPT-2 split), `<s> … </s>`.
        case roberta
        /// Lowercased byte-level BPE with `</w>`, `<|startoftext|> … <|endoftext|>`, padded to 77.
        case clip
    }

    /// How a batch is padded.
    public enum Padding: Sendable, Equatable {
        /// To the longest sequence in the batch.
        case longest
        /// To exactly `n` tokens (CLIP: 77).
        case fixed(Int)
    }

    public let kind: Kind
    /// Longest sequence produced, special tokens included.
    public var maxLength: Int
    public var padding: Padding
    public let padID: Int
    public let startID: Int?
    public let endID: Int?
    public let unknownID: Int?
    /// Number of entries in the vocabulary (largest id + 1).
    public let vocabularySize: Int

    let bert: BertPreTokenizer?
    let wordPiece: WordPieceModel?
    let bytePair: BytePairModel?
    let bytePairSplit: BytePairPreTokenizer?
    /// CLIP lowercases (after NFC and whitespace collapsing) before splitting.
    let lowercaseBeforeSplit: Bool
    /// Special tokens recognised verbatim in input text, longest first.
    let specialTokens: [(String, Int)]

    /// Content token ids of `text`, without special tokens or truncation.
    public func tokenIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in splitSpecial(text) {
            switch segment {
            case let .special(id): ids.append(id)
            case let .text(part): appendModelIDs(part, into: &ids)
            }
        }
        return ids
    }

    /// `text` as model input ids: content truncated to `maxLength − specials`, then start/end tokens.
    public func encode(_ text: String) -> [Int] {
        var content = tokenIDs(text)
        let specials = (startID == nil ? 0 : 1) + (endID == nil ? 0 : 1)
        let room = max(0, maxLength - specials)
        if content.count > room { content.removeLast(content.count - room) }
        var ids: [Int] = []
        ids.reserveCapacity(content.count + specials)
        if let start = startID { ids.append(start) }
        ids.append(contentsOf: content)
        if let end = endID { ids.append(end) }
        return ids
    }

    /// Encodes and pads `texts` into one `[count, length]` batch (see ``TokenizedBatch``).
    public func encodeBatch(_ texts: [String]) -> TokenizedBatch {
        TokenizedBatch(sequences: texts.map(encode), padding: padding, padID: padID)
    }

    // MARK: - Internals

    private enum Segment {
        case text(Substring)
        case special(Int)
    }

    private func splitSpecial(_ text: String) -> [Segment] {
        guard !specialTokens.isEmpty, specialTokens.contains(where: { text.contains($0.0) }) else {
            return [.text(Substring(text))]
        }
        var segments: [Segment] = []
        var rest = Substring(text)
        outer: while !rest.isEmpty {
            var earliest: (Range<Substring.Index>, Int)? = nil
            for (token, id) in specialTokens {
                if let range = rest.range(of: token), earliest.map({ range.lowerBound < $0.0.lowerBound }) ?? true {
                    earliest = (range, id)
                }
            }
            guard let (range, id) = earliest else {
                segments.append(.text(rest))
                break outer
            }
            if range.lowerBound > rest.startIndex { segments.append(.text(rest[rest.startIndex..<range.lowerBound])) }
            segments.append(.special(id))
            rest = rest[range.upperBound...]
        }
        return segments
    }

    private func appendModelIDs(_ part: Substring, into ids: inout [Int]) {
        if let bert, let wordPiece {
            for word in bert.words(String(part)) { wordPiece.encode(word: word, into: &ids) }
        } else if let bytePair, let bytePairSplit {
            var text = String(part)
            if lowercaseBeforeSplit { text = Self.clipNormalized(text) }
            for piece in bytePairSplit.pieces(text) { bytePair.encode(word: piece, into: &ids) }
        }
    }

    /// CLIP's normalizer: NFC, runs of whitespace → one space, lowercase.
    static func clipNormalized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inSpace = false
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if UnicodeClasses.isWhitespace(scalar) {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(scalar)
                inSpace = false
            }
        }
        return String(out).lowercased()
    }
}
