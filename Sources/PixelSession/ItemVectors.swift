import Foundation
import PixelData
import PixelEval
import PixelModels

/// The item side of `pixelrec recommend`: the model's item vectors (through the embeddings cache when
/// one is given) and the unit-length embeddings MMR and intra-list diversity take cosines over.
public enum ItemVectors {
    /// Item vectors of the catalog and a phrase saying where they came from. A cache file that breaks its
    /// format (corrupt, or of the older version without a payload checksum) is recomputed, rewritten and
    /// reported through `warn` as `<cache>: <field>: <reason>; …`.
    public static func resolve(
        model: LoadedModel, catalog: IdMap, content: ItemContent, cachePath: String?, warn: (String) -> Void = { _ in }
    ) throws -> ([Float], String) {
        guard let cachePath else {
            return (try model.itemVectors(itemIds: catalog, content: content), "computed")
        }
        let key = ItemVectorCache.Key(
            checkpointHash: model.header.payloadChecksum,
            inputsHash: ItemVectorCache.inputsHash(itemIds: catalog.keys, content: content), count: catalog.count,
            dimension: model.hyperparameters.embeddingDim)
        let lookup = ItemVectorCache.load(path: cachePath, key: key)
        if case let .hit(vectors) = lookup { return (vectors, "reused from cache \(cachePath)") }
        let vectors = try model.itemVectors(itemIds: catalog, content: content)
        try ItemVectorCache.write(vectors, key: key, to: cachePath)
        let why: String
        switch lookup {
        case let .stale(reason): why = "cache was stale (\(reason)); rewritten"
        case let .invalid(field, reason):
            why = "cache was invalid (\(field): \(reason)); rewritten"
            warn("\(cachePath): \(field): \(reason); recomputed the item vectors and rewrote the cache")
        default: why = "cache written"
        }
        return (vectors, "computed; \(why): \(cachePath)")
    }

    /// L2-normalised `vision ⊕ text` content features (each part normalised, then the whole), or the
    /// model's item vectors when no item has content features.
    public static func similarityEmbeddings(content: ItemContent, itemVectors: [Float], dimension: Int) throws
        -> EmbeddingCosine
    {
        let n = content.count, dv = content.visionWidth, dt = content.textWidth
        let width = dv + dt
        var rows = [Float](repeating: 0, count: n * width)
        var anyContent = false
        for i in 0..<n {
            for (source, offset, w) in [(content.vision, 0, dv), (content.text, dv, dt)] {
                var norm: Float = 0
                for c in 0..<w { norm += source[i * w + c] * source[i * w + c] }
                guard norm > 0 else { continue }
                anyContent = true
                let scale = 1 / norm.squareRoot()
                for c in 0..<w { rows[i * width + offset + c] = source[i * w + c] * scale }
            }
        }
        guard anyContent else {
            return try EmbeddingCosine(
                embeddings: itemVectors, dimension: dimension, source: "model item vectors (no content features)")
        }
        return try EmbeddingCosine(
            embeddings: rows, dimension: width,
            source: "content features: L2-normalised vision ⊕ text (\(dv)+\(dt) dims)")
    }
}
