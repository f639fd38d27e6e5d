/// Padded model inputs for a batch of texts, row-major `[count, length]` `Int64` (ONNX `INT64`).
///
/// `attentionMask[i, j] = 1` for real tokens and `0` for padding; `tokenTypeIDs` is all zeros (single
/// sentences). Sequences longer than a fixed padding length are not cut here (the tokenizer truncates).
public struct TokenizedBatch: Sendable, Equatable {
    public let count: Int
    public let length: Int
    public var inputIDs: [Int64]
    public var attentionMask: [Int64]
    public var tokenTypeIDs: [Int64]
    /// Unpadded length of each sequence.
    public var lengths: [Int]

    /// Pads `sequences` with `padID` to the longest one (or to a fixed length).
    public init(sequences: [[Int]], padding: TextTokenizer.Padding, padID: Int) {
        let longest = sequences.map(\.count).max() ?? 0
        let length: Int
        switch padding {
        case .longest: length = longest
        case let .fixed(n): length = max(n, longest)
        }
        self.count = sequences.count
        self.length = length
        self.lengths = sequences.map(\.count)
        var ids = [Int64](repeating: Int64(padID), count: sequences.count * length)
        var mask = [Int64](repeating: 0, count: sequences.count * length)
        for (row, sequence) in sequences.enumerated() {
            for (column, id) in sequence.enumerated() {
                ids[row * length + column] = Int64(id)
                mask[row * length + column] = 1
            }
        }
        self.inputIDs = ids
        self.attentionMask = mask
        self.tokenTypeIDs = [Int64](repeating: 0, count: sequences.count * length)
    }

    /// Batches of indices into `lengths` with similar lengths, so that little padding is computed:
    /// indices sorted by length (stable), cut into runs of `batchSize`. Every index appears once.
    public static func lengthSortedBatches(lengths: [Int], batchSize: Int) -> [[Int]] {
        let size = max(1, batchSize)
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] < lengths[$1] : $0 < $1 }
        return stride(from: 0, to: order.count, by: size).map { Array(order[$0..<min($0 + size, order.count)]) }
    }
}
