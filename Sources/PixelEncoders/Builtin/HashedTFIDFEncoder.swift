import Foundation

/// The built-in text encoder (no weights): hashed TF-IDF of word unigrams and bigrams.
///
/// Words come from BERT's basic tokenizer (lowercase, accents stripped, punctuation split off and
/// dropped). Each unigram and bigram `t` is hashed with 64-bit FNV-1a to bucket `h mod D` with sign
/// `±1` from the top bit (the hashing trick), weighted `(1 + ln tf) · idf[bucket]`, and the vector is
/// L2-normalised. `idf[b] = ln((1 + N) / (1 + df[b])) + 1` from the corpus given to ``adapted(to:)``
/// (all ones before); the IDF's hash is part of ``identity`` so stores made with other statistics are
/// stale.
public struct HashedTFIDFEncoder: TextEncoder {
    public static let defaultDimension = 512
    public let identity: EncoderIdentity
    public let idf: [Float]
    private let splitter = BertPreTokenizer(lowercase: true)

    public init(name: String = "builtin", dimension: Int = defaultDimension, idf: [Float]? = nil) {
        let d = max(8, dimension)
        let weights = idf.flatMap { $0.count == d ? $0 : nil } ?? [Float](repeating: 1, count: d)
        self.idf = weights
        var hash = FNV1a()
        for w in weights { hash.combine(w.bitPattern) }
        let tag = idf == nil ? "unfitted" : String(hash.value, radix: 16)
        identity = EncoderIdentity(name: name, modality: .text, dimension: d, modelHash: "tfidf-v1-\(d)d-\(tag)")
    }

    public var allowsConcurrentBatches: Bool { true }

    /// Hashed feature terms of `text`: `(bucket, sign)` per unigram and bigram occurrence.
    func terms(_ text: String) -> [(Int, Float)] {
        let words = splitter.words(text).filter { word in
            !(word.unicodeScalars.count == 1 && word.unicodeScalars.allSatisfy(UnicodeClasses.isBertPunctuation))
        }
        let d = UInt64(identity.dimension)
        var terms: [(Int, Float)] = []
        terms.reserveCapacity(words.count * 2)
        var previous: String? = nil
        for word in words {
            var hash = FNV1a()
            hash.combine(bytes: word.utf8)
            terms.append((Int(hash.value % d), hash.value >> 63 == 0 ? 1 : -1))
            if let previous {
                var pair = FNV1a()
                pair.combine(bytes: previous.utf8)
                pair.combine(bytes: [0x20])
                pair.combine(bytes: word.utf8)
                terms.append((Int(pair.value % d), pair.value >> 63 == 0 ? 1 : -1))
            }
            previous = word
        }
        return terms
    }

    public func encode(_ texts: [String]) throws -> [Float] {
        let d = identity.dimension
        var out = [Float](repeating: 0, count: texts.count * d)
        for (row, text) in texts.enumerated() {
            var counts: [Int: (Float, Float)] = [:]
            for (bucket, sign) in terms(text) {
                let current = counts[bucket] ?? (0, 0)
                counts[bucket] = (current.0 + 1, current.1 + sign)
            }
            for (bucket, (count, signSum)) in counts where signSum != 0 {
                let sign: Float = signSum > 0 ? 1 : -1
                out[row * d + bucket] = sign * (1 + log(count)) * idf[bucket]
            }
        }
        Pooling.l2Normalize(&out, dimension: d)
        return out
    }

    public func adapted(to corpus: [String]) -> any TextEncoder {
        let d = identity.dimension
        var documentFrequency = [Float](repeating: 0, count: d)
        for text in corpus {
            for bucket in Set(terms(text).map(\.0)) { documentFrequency[bucket] += 1 }
        }
        let n = Float(corpus.count)
        let idf = documentFrequency.map { log((1 + n) / (1 + $0)) + 1 }
        return HashedTFIDFEncoder(name: identity.name, dimension: d, idf: idf)
    }
}

/// 64-bit FNV-1a.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func combine(_ word: UInt32) {
        combine(bytes: [UInt8(word & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word >> 16 & 0xFF), UInt8(word >> 24)])
    }
}
