/// Cosine similarity between items, for intra-list diversity and serendipity.
public protocol ItemSimilarity: Sendable {
    /// What the similarity is computed from, reported next to ILD and serendipity.
    var source: String { get }
    /// `cos(e_a, e_b)`; 0 when either vector is zero.
    func cosine(_ a: Int32, _ b: Int32) -> Float
}

/// Cosine between rows of dense item embeddings `[items, dimension]` (content embeddings).
public struct EmbeddingCosine: ItemSimilarity {
    /// Unit-length rows (zero rows stay zero).
    public let normalized: [Float]
    public let dimension: Int
    public let source: String

    public init(embeddings: [Float], dimension: Int, source: String) throws {
        guard dimension > 0, embeddings.count % dimension == 0 else {
            throw EvalError.shapeMismatch(
                what: "embedding values (multiple of \(dimension))", expected: 0, found: embeddings.count)
        }
        var normalized = embeddings
        for row in 0..<embeddings.count / dimension {
            var norm: Float = 0
            for c in 0..<dimension { norm += normalized[row * dimension + c] * normalized[row * dimension + c] }
            let scale: Float = norm > 0 ? 1 / norm.squareRoot() : 0
            for c in 0..<dimension { normalized[row * dimension + c] *= scale }
        }
        self.normalized = normalized
        self.dimension = dimension
        self.source = source
    }

    public func cosine(_ a: Int32, _ b: Int32) -> Float {
        let rows = normalized.count / dimension
        guard Int(a) < rows, Int(b) < rows else { return 0 }
        var sum: Float = 0
        let ia = Int(a) * dimension, ib = Int(b) * dimension
        for c in 0..<dimension { sum += normalized[ia + c] * normalized[ib + c] }
        return sum
    }
}

/// Cosine between items' binary training-interaction columns, `|U(a) ∩ U(b)| / √(|U(a)| |U(b)|)`:
/// the collaborative stand-in when no content embeddings are given (reported as such).
public struct InteractionCosine: ItemSimilarity {
    /// `items × users`.
    public let itemUsers: SparseMatrix
    public var source: String { "training-interaction columns (no content embeddings given)" }

    public init(train: SparseMatrix) { itemUsers = train.transposed() }

    public func cosine(_ a: Int32, _ b: Int32) -> Float {
        guard Int(a) < itemUsers.rowCount, Int(b) < itemUsers.rowCount else { return 0 }
        if a == b { return itemUsers.rowLength(Int(a)) > 0 ? 1 : 0 }
        var x = itemUsers.offsets[Int(a)], y = itemUsers.offsets[Int(b)]
        let xEnd = itemUsers.offsets[Int(a) + 1], yEnd = itemUsers.offsets[Int(b) + 1]
        let na = xEnd - x, nb = yEnd - y
        guard na > 0, nb > 0 else { return 0 }
        var common = 0
        while x < xEnd && y < yEnd {
            let u = itemUsers.columns[x], v = itemUsers.columns[y]
            if u == v {
                common += 1
                x += 1
                y += 1
            } else if u < v {
                x += 1
            } else {
                y += 1
            }
        }
        return Float(common) / Float(na * nb).squareRoot()
    }
}
