import PixelEval
import PixelSession

/// `GET /v1/items/{id}/similar`: the catalog items most similar to one item.
enum Similarity {
    enum Basis: String, CaseIterable {
        /// Cosine over the session's similarity embeddings (unit vision ⊕ text content features; the model's
        /// item vectors when the catalog has no content features).
        case content
        /// Cosine over the model's item vectors.
        case model
    }

    /// The `k` items most similar to catalog item `item` (itself left out), best first; ties rank the
    /// lower catalog index first.
    static func similar(to item: Int32, k: Int, by basis: Basis, session: ModelSession) -> [(Int32, Float)] {
        let rows: [Float], d: Int
        switch basis {
        case .content:
            rows = session.similarityEmbeddings.normalized
            d = session.similarityEmbeddings.dimension
        case .model:
            rows = session.itemVectors
            d = session.model.hyperparameters.embeddingDim
        }
        let n = session.catalog.count
        func norm(_ i: Int) -> Float {
            var sum: Float = 0
            for c in 0..<d { sum += rows[i * d + c] * rows[i * d + c] }
            return sum.squareRoot()
        }
        let q = Int(item)
        let qNorm = norm(q)
        var scored: [(Int32, Float)] = []
        scored.reserveCapacity(n)
        for i in 0..<n where i != q {
            var dot: Float = 0
            for c in 0..<d { dot += rows[q * d + c] * rows[i * d + c] }
            let denominator = qNorm * norm(i)
            scored.append((Int32(i), denominator > 0 ? dot / denominator : 0))
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(scored.prefix(k))
    }
}
