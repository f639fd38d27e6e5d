import Foundation
import PixelCore
import PixelONNX
import PixelTensor

/// Brings the hidden-state cache of a text encoder's trainable top up to date (`pixelrec encode` with
/// `model.trainable_encoder_layers > 0`): the encoder's own tokenization and maximum length, the lower
/// blocks in the interpreter up to the cut, fp16 on disk (``HiddenStateCache``).
///
/// The existing cache is reused when it is valid and holds the same identity (encoder, model hash, cut),
/// the same items in the same order with the same token counts; otherwise every item is recomputed (texts
/// edited under the same id need `--force`, as for the feature store).
public enum HiddenStateCacheBuilder {
    public struct Report: Sendable, Equatable {
        public var path: String
        public var items = 0
        /// Items whose states were computed (0 when the cache was reused).
        public var encoded = 0
        /// Items without text (zero states, length 0).
        public var missing = 0
        /// `T` and `E` of the cache.
        public var length = 0
        public var width = 0
        /// The cache file's size.
        public var bytes = 0
        /// The identity, e.g. `sentence-bert (onnx-…) at /encoder/layer.4/output/LayerNorm/…`.
        public var identity = ""
        /// Why an existing cache was not reused (`nil` when it was, or there was none).
        public var rebuildReason: String? = nil
        public var seconds = 0.0
        /// Max abs difference, on the first batch, between the imported top's pooled vectors (from the Float32
        /// states at the cut) and the encoder's own vectors: the check that the cut and pooling are right.
        public var probeError: Float? = nil
    }

    /// The top `layers` blocks of `encoder`'s model, pooling as the encoder does: `sentence_embedding`
    /// outputs are the masked mean (sentence-transformers' pooling), `last_hidden_state` per its entry;
    /// L2-normalized when the encoder normalizes.
    /// - Throws: ``EncoderError/unsupportedGraph(path:node:pattern:)`` (no recognised blocks, or an output
    ///   pooled in a way the top cannot reproduce); ``EncoderError/invalidArgument(_:)`` for `layers` out of range.
    public static func top(of encoder: ONNXTextEncoder, layers: Int) throws -> TrainableEncoderTop {
        let pooling: TrainableEncoderTop.TopPooling
        switch encoder.output.pooling {
        case .output, .maskedMean: pooling = .maskedMean
        case .cls: pooling = .cls
        case .globalAverage:
            throw EncoderError.unsupportedGraph(
                path: encoder.model.path, node: encoder.output.name,
                pattern: "a text output pooled by global average has no trainable-top equivalent")
        }
        return try TrainableEncoderTop(
            graph: try ONNXGraph(contentsOf: encoder.model.path), count: layers, pooling: pooling,
            normalize: encoder.normalize)
    }

    /// Updates the cache at `path` for `ids` with `texts` (empty = no text).
    /// - Parameters:
    ///   - batchSize: texts per interpreter run (length-sorted, so little padding is computed).
    ///   - force: recompute even when the existing cache matches.
    /// - Throws: the importer's and interpreter's errors; `EncoderError.unsupportedGraph` when the probe
    ///   shows that the top does not reproduce the encoder (> 1e-4 max abs); I/O errors.
    public static func update(
        path: String, encoder: ONNXTextEncoder, layers: Int, ids: [String], texts: [String], batchSize: Int = 32,
        force: Bool = false, progressStyle: ProgressStyle? = nil
    ) throws -> Report {
        let clock = Date()
        guard ids.count == texts.count else {
            throw EncoderError.invalidArgument("hidden-state cache: \(ids.count) ids for \(texts.count) texts")
        }
        let top = try top(of: encoder, layers: layers)
        let identity = HiddenStateCache.Identity(
            encoder: encoder.identity.name, modelHash: encoder.identity.modelHash, cut: top.cut)
        var report = Report(path: path)
        report.items = ids.count
        report.width = top.width
        report.identity = identity.description
        let tokenizer = encoder.tokenizer
        let sequences = texts.map { $0.isEmpty ? [] : tokenizer.encode($0) }
        let lengths = sequences.map(\.count)
        let length = max(1, lengths.max() ?? 0)
        report.length = length
        report.missing = lengths.filter { $0 == 0 }.count
        if FileManager.default.fileExists(atPath: path) {
            do {
                let existing = try HiddenStateCache(contentsOf: path)
                if force {
                    report.rebuildReason = "--force"
                } else if existing.identity != identity {
                    report.rebuildReason = "stale: made by \(existing.identity), now \(identity)"
                } else if existing.ids != ids || existing.lengths != lengths || existing.width != top.width
                    || existing.length != length
                {
                    report.rebuildReason = "the items or their texts changed"
                } else {
                    report.bytes = Self.fileSize(path)
                    report.seconds = Date().timeIntervalSince(clock)
                    return report
                }
            } catch let error as EncoderError {
                report.rebuildReason = "invalid: \(error)"
            }
        }
        let lower = try top.lowerModel(path: encoder.model.path)
        lower.threads = encoder.model.threads
        let work = ids.indices.filter { lengths[$0] > 0 }
        let batches = TokenizedBatch.lengthSortedBatches(lengths: work.map { lengths[$0] }, batchSize: batchSize)
            .map { $0.map { work[$0] } }
        let progress = Progress("encoder top states", total: work.count, unit: "texts", style: progressStyle)
        var probeError: Float? = nil
        try HiddenStateCache.write(
            identity: identity, width: top.width, length: length, ids: ids, lengths: lengths, to: path
        ) { put in
            for rows in batches {
                let batch = TokenizedBatch(
                    sequences: rows.map { sequences[$0] }, padding: tokenizer.padding, padID: tokenizer.padID)
                let results = try lower.run(ONNXTextEncoder.feeds(batch, for: lower))
                guard let value = results[top.cut], value.shape == [rows.count, batch.length, top.width] else {
                    throw EncoderError.modelMismatch(
                        path: encoder.model.path,
                        reason: "the cut \(top.cut) is not [\(rows.count), \(batch.length), \(top.width)]")
                }
                let states = value.floats
                if probeError == nil {
                    probeError = try Self.probe(top, states: states, batch: batch, encoder: encoder)
                }
                let e = top.width, l = batch.length
                try states.withUnsafeBufferPointer { all in
                    for (b, row) in rows.enumerated() {
                        try put(row, UnsafeBufferPointer(rebasing: all[(b * l * e)..<(b * l * e + lengths[row] * e)]))
                    }
                }
                progress.advance(by: rows.count)
            }
        }
        progress.finish()
        report.encoded = work.count
        report.probeError = probeError
        report.bytes = Self.fileSize(path)
        report.seconds = Date().timeIntervalSince(clock)
        return report
    }

    /// The top's pooled vectors from `states` against the encoder's on the same batch; throws when they
    /// differ by more than 1e-4 (both Float32, so only summation order should differ).
    static func probe(_ top: TrainableEncoderTop, states: [Float], batch: TokenizedBatch, encoder: ONNXTextEncoder)
        throws -> Float
    {
        let hidden = Tensor(shape: [batch.count, batch.length, top.width], scalars: states)
        let pooled = try Autograd.withoutRecording {
            try top.pool(try top(hidden, attentionMask: batch.attentionMask), attentionMask: batch.attentionMask)
        }
        let reference = try encoder.embed(batch: batch)
        guard reference.count == pooled.scalars.count else {
            throw EncoderError.unsupportedGraph(
                path: encoder.model.path, node: encoder.output.name,
                pattern: "the top pools to \(pooled.shape), the encoder's output has \(reference.count) values")
        }
        let error = zip(pooled.scalars, reference).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        guard error <= 1e-4 else {
            throw EncoderError.unsupportedGraph(
                path: encoder.model.path, node: encoder.output.name,
                pattern:
                    "the imported top's pooled vectors differ from the encoder's by \(error) (max abs) on the first batch"
            )
        }
        return error
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
