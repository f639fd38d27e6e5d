import Foundation
import PixelONNX

/// A text encoder backed by an ONNX transformer: tokenizer → `input_ids`, `attention_mask`
/// (`token_type_ids` zeros when the graph declares it) → an output pooled per ``ModelSpec/Output``.
public final class ONNXTextEncoder: TextEncoder, @unchecked Sendable {
    public private(set) var identity: EncoderIdentity
    public let tokenizer: TextTokenizer
    public let model: ONNXModel
    public let output: ModelSpec.Output
    public let normalize: Bool

    /// - Throws: `EncoderError.modelMismatch` when the graph lacks `input_ids` or every candidate output.
    public init(
        name: String, modelPath: String, tokenizer: TextTokenizer, outputs: [ModelSpec.Output], normalize: Bool,
        threads: Int = 2
    ) throws {
        let model = try ONNXModel(contentsOf: modelPath)
        model.threads = threads
        guard model.inputs.contains(where: { $0.name == "input_ids" }) else {
            throw EncoderError.modelMismatch(
                path: modelPath, reason: "no input_ids input (has \(model.inputs.map(\.name)))")
        }
        let available = model.outputs.map(\.name)
        guard let output = outputs.first(where: { available.contains($0.name) }) else {
            throw EncoderError.modelMismatch(
                path: modelPath,
                reason: "none of the outputs \(outputs.map(\.name)) is in the model (it has \(available))")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.output = output
        self.normalize = normalize
        self.identity = EncoderIdentity(name: name, modality: .text, dimension: 0, modelHash: "")
        // One probe run gives the output size when the graph leaves it symbolic.
        let dimension = try embed(batch: tokenizer.encodeBatch(["a"])).count
        let description =
            "\(tokenizer.kind) \(tokenizer.maxLength) \(tokenizer.vocabularySize) \(output.name) \(normalize)"
        var fingerprint = FNV1a()
        fingerprint.combine(bytes: Array(description.utf8))
        self.identity = EncoderIdentity(
            name: name, modality: .text, dimension: dimension,
            modelHash: "onnx-" + (try ModelFiles.fingerprint(modelPath)) + "-" + String(fingerprint.value, radix: 16))
    }

    /// Frees the interpreter's cached intermediate buffers (shared by all models) with the encoder.
    deinit { ONNXModel.releaseCachedBuffers() }

    public func encode(_ texts: [String]) throws -> [Float] {
        try embed(batch: tokenizer.encodeBatch(texts))
    }

    /// Runs the model on a tokenized batch and pools: `[batch.count, dimension]`.
    public func embed(batch: TokenizedBatch) throws -> [Float] {
        let feeds = try Self.feeds(batch, for: model)
        let results = try model.run(feeds)
        guard let value = results[output.name] else {
            throw EncoderError.modelMismatch(path: model.path, reason: "output \(output.name) missing from the run")
        }
        var (rows, dimension) = try output.pooling.apply(value.floats, shape: value.shape, mask: batch.attentionMask)
        if normalize { Pooling.l2Normalize(&rows, dimension: dimension) }
        return rows
    }

    /// The inputs `model` declares, from a tokenized batch: `input_ids`, `attention_mask`, `token_type_ids`
    /// (zeros) and `position_ids` (`0..<length` per row), each `[batch.count, batch.length]` `INT64`.
    /// - Throws: `EncoderError.modelMismatch` for any other input.
    public static func feeds(_ batch: TokenizedBatch, for model: ONNXModel) throws -> [String: ONNXValue] {
        let shape = [batch.count, batch.length]
        var feeds: [String: ONNXValue] = [:]
        for input in model.inputs {
            switch input.name {
            case "input_ids": feeds[input.name] = try ONNXValue(int64s: batch.inputIDs, shape: shape)
            case "attention_mask": feeds[input.name] = try ONNXValue(int64s: batch.attentionMask, shape: shape)
            case "token_type_ids": feeds[input.name] = try ONNXValue(int64s: batch.tokenTypeIDs, shape: shape)
            case "position_ids":
                var positions = [Int64](repeating: 0, count: batch.count * batch.length)
                for i in 0..<positions.count { positions[i] = Int64(i % max(batch.length, 1)) }
                feeds[input.name] = try ONNXValue(int64s: positions, shape: shape)
            default:
                throw EncoderError.modelMismatch(
                    path: model.path, reason: "unexpected text model input '\(input.name)'")
            }
        }
        return feeds
    }
}
