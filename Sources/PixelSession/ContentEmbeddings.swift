import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelEval

/// Item content embeddings for evaluation (`content_knn`, and ILD / serendipity): each item's text
/// feature and image feature from the configured feature stores, each scaled to unit length, then
/// concatenated — so the cosine of two items with both modalities is the mean of their text cosine and
/// their image cosine. A modality an item lacks is a zero block.
public struct ContentEmbeddings: Sendable {
    /// `[itemIds.count, dimension]`.
    public let rows: [Float]
    public let dimension: Int
    /// Items with at least one modality.
    public let present: Int
    /// In words, for reports.
    public let source: String

    /// The stores of `config` (`data.feature_store_path`), or `nil` when either store file is absent.
    /// - Throws: errors reading a store that exists.
    public static func load(_ config: PixelRecConfig, itemIds: IdMap) throws -> ContentEmbeddings? {
        let textPath = ItemFeatures.storePath(config, .text), imagePath = ItemFeatures.storePath(config, .image)
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: textPath), fileManager.fileExists(atPath: imagePath) else { return nil }
        let text = try FeatureStore(contentsOf: textPath), image = try FeatureStore(contentsOf: imagePath)
        let keys = itemIds.keys
        let t = text.matrix(for: keys), v = image.matrix(for: keys)
        let dt = text.dimension, dv = image.dimension, d = dt + dv
        var rows = [Float](repeating: 0, count: keys.count * d)
        var present = 0
        for i in 0..<keys.count {
            if t.present[i] || v.present[i] { present += 1 }
            Self.unit(t.rows, row: i, width: dt, into: &rows, at: i * d)
            Self.unit(v.rows, row: i, width: dv, into: &rows, at: i * d + dt)
        }
        let source =
            "content embeddings: unit text (\(text.identity.name), \(dt)) ⊕ unit image (\(image.identity.name), \(dv)) "
            + "from \(config.data.featureStorePath)"
        return ContentEmbeddings(rows: rows, dimension: d, present: present, source: source)
    }

    private static func unit(_ matrix: [Float], row: Int, width: Int, into out: inout [Float], at offset: Int) {
        var norm: Float = 0
        for c in 0..<width { norm += matrix[row * width + c] * matrix[row * width + c] }
        guard norm > 0 else { return }
        let scale = 1 / norm.squareRoot()
        for c in 0..<width { out[offset + c] = matrix[row * width + c] * scale }
    }
}

extension ContentEmbeddings {
    /// `scorer` blended with content kNN over `profiles` when `model.content_knn_weight` `w > 0`
    /// (``BlendedScorer``: `z(model) + w·z(content_knn)`, `evaluation.knn_neighbors` neighbours), else
    /// `scorer` itself. `eval` and `recommend` both score through here.
    /// - Parameter content: the embeddings when already loaded for `itemIds`.
    /// - Throws: `PixelError.invalidValue` naming `model.content_knn_weight` when the feature stores are absent.
    public static func blend(
        _ scorer: any Scorer, config: PixelRecConfig, itemIds: IdMap, profiles: SparseMatrix,
        content: ContentEmbeddings? = nil
    ) throws -> any Scorer {
        let weight = config.model.contentKnnWeight
        guard weight > 0 else { return scorer }
        guard let content = try content ?? load(config, itemIds: itemIds) else {
            throw PixelError.invalidValue(
                setting: "model.content_knn_weight",
                reason:
                    "blending content kNN needs text.pxfs and image.pxfs in \(config.data.featureStorePath) (run pixelrec encode)"
            )
        }
        let knn = try ContentKNNScorer(
            embeddings: content.rows, dimension: content.dimension, profiles: profiles,
            k: config.evaluation.knnNeighbors)
        return try BlendedScorer(primary: scorer, secondary: knn, weight: Float(weight))
    }
}
