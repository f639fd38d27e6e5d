import Synchronization

/// Byte-level byte-pair encoding over vocabulary ids.
///
/// A word (a pre-token's UTF-8 bytes) starts as one symbol per byte — the last carrying the
/// end-of-word suffix (`</w>` for CLIP) when the vocabulary has one — then the adjacent pair with the
/// lowest merge rank is merged, everywhere it occurs left to right, until no pair has a rank. Merges
/// are stored as `(left id, right id) → (rank, merged id)`, so no strings are built while encoding.
/// Results are cached per word (bounded).
final class BytePairModel: Sendable {
    struct Merge: Sendable {
        let rank: Int32
        let merged: Int32
    }
    let vocabulary: [String: Int]
    /// Id of the one-byte token for each byte, and of the byte + suffix token (`-1` when absent).
    let byteIDs: [Int32]
    let byteSuffixIDs: [Int32]
    let merges: [UInt64: Merge]
    let endOfWordSuffix: String?
    let unknownID: Int?
    private let cache = Mutex<[[UInt8]: [Int32]]>([:])
    private static let cacheLimit = 50_000

    /// - Parameters:
    ///   - vocabulary: token (in byte-level characters) → id.
    ///   - merges: ordered pairs; rank = position.
    ///   - source: file named in errors.
    /// - Throws: `EncoderError.malformedFile` when a merge names a token absent from the vocabulary.
    init(
        vocabulary: [String: Int], merges: [(String, String)], endOfWordSuffix: String?, unknownID: Int?, source: String
    )
        throws
    {
        self.vocabulary = vocabulary
        self.endOfWordSuffix = endOfWordSuffix
        self.unknownID = unknownID
        var byteIDs = [Int32](repeating: -1, count: 256)
        var byteSuffixIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let character = ByteLevelAlphabet.string([UInt8(byte)])
            byteIDs[byte] = Int32(vocabulary[character] ?? -1)
            if let suffix = endOfWordSuffix { byteSuffixIDs[byte] = Int32(vocabulary[character + suffix] ?? -1) }
        }
        self.byteIDs = byteIDs
        self.byteSuffixIDs = byteSuffixIDs
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let l = vocabulary[left], let r = vocabulary[right], let m = vocabulary[left + right] else {
                throw EncoderError.malformedFile(
                    path: source,
                    reason: "merge \(rank + 1) '\(left) \(right)' names a token missing from the vocabulary")
            }
            let key = UInt64(UInt32(l)) << 32 | UInt64(UInt32(r))
            if table[key] == nil { table[key] = Merge(rank: Int32(rank), merged: Int32(m)) }
        }
        self.merges = table
    }

    /// Appends the ids of one pre-token (its raw UTF-8 bytes) to `ids`.
    func encode(word bytes: [UInt8], into ids: inout [Int]) {
        guard !bytes.isEmpty else { return }
        if let cached = cache.withLock({ $0[bytes] }) {
            for id in cached { ids.append(Int(id)) }
            return
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            var id = isLast && endOfWordSuffix != nil ? byteSuffixIDs[Int(byte)] : byteIDs[Int(byte)]
            if id < 0, let unknown = unknownID { id = Int32(unknown) }
            symbols.append(id)
        }
        while symbols.count > 1 {
            var bestRank = Int32.max
            var bestMerged: Int32 = -1
            var bestLeft: Int32 = -1, bestRight: Int32 = -1
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(bitPattern: symbols[i])) << 32 | UInt64(UInt32(bitPattern: symbols[i + 1]))
                if let merge = merges[key], merge.rank < bestRank {
                    bestRank = merge.rank
                    bestMerged = merge.merged
                    bestLeft = symbols[i]
                    bestRight = symbols[i + 1]
                }
            }
            if bestMerged < 0 { break }
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            var i = 0
            while i < symbols.count {
                if i + 1 < symbols.count && symbols[i] == bestLeft && symbols[i + 1] == bestRight {
                    merged.append(bestMerged)
                    i += 2
                } else {
                    merged.append(symbols[i])
                    i += 1
                }
            }
            symbols = merged
        }
        cache.withLock { store in
            if store.count >= Self.cacheLimit { store.removeAll(keepingCapacity: true) }
            store[bytes] = symbols
        }
        for id in symbols where id >= 0 { ids.append(Int(id)) }
    }
}
