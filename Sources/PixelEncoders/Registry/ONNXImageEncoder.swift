import Foundation
import PixelImage
import PixelONNX

/// An image encoder backed by an ONNX graph (`pixel_values [n, 3, h, w]` → an output pooled per
/// ``ModelSpec/Output``).
public final class ONNXImageEncoder: ImageEncoder, @unchecked Sendable {
    public private(set) var identity: EncoderIdentity
    public let preprocessor: ImagePreprocessor
    public let model: ONNXModel
    public let inputName: String
    public let output: ModelSpec.Output
    public let normalize: Bool
    /// Model input height and width.
    public let height: Int
    public let width: Int

    /// - Throws: `EncoderError.modelMismatch` when the graph lacks the input or every candidate output;
    ///   ONNX loading errors.
    public init(
        name: String, modelPath: String, preprocessor: ImagePreprocessor, inputName: String = "pixel_values",
        outputs: [ModelSpec.Output], normalize: Bool, threads: Int = 2
    ) throws {
        let model = try ONNXModel(contentsOf: modelPath)
        model.threads = threads
        guard let input = model.inputs.first(where: { $0.name == inputName }) ?? model.inputs.first else {
            throw EncoderError.modelMismatch(path: modelPath, reason: "the model has no inputs")
        }
        let available = model.outputs.map(\.name)
        guard let output = outputs.first(where: { available.contains($0.name) }) else {
            throw EncoderError.modelMismatch(
                path: modelPath,
                reason: "none of the outputs \(outputs.map(\.name)) is in the model (it has \(available))")
        }
        var pre = preprocessor
        var size = (pre.cropHeight ?? 224, pre.cropWidth ?? 224)
        if let shape = input.shape, shape.count == 4, case .fixed(let h) = shape[2], case .fixed(let w) = shape[3] {
            size = (h, w)
            if pre.cropHeight == nil {
                pre.cropHeight = h
                pre.cropWidth = w
            }
        }
        if case .exact(let w, let h) = pre.resize, pre.cropWidth == nil {
            size = (h, w)
        }
        self.model = model
        self.inputName = input.name
        self.output = output
        self.normalize = normalize
        self.preprocessor = pre
        self.height = size.0
        self.width = size.1
        self.identity = EncoderIdentity(name: name, modality: .image, dimension: 0, modelHash: "")
        // One probe run gives the output size when the graph leaves it symbolic.
        let probe = [Float](repeating: 0, count: 3 * size.0 * size.1)
        let dimension = try embed(pixelValues: probe, count: 1).count
        let description =
            "\(pre.resize) \(pre.filter) \(pre.cropWidth ?? 0)x\(pre.cropHeight ?? 0) \(pre.mean) \(pre.std) \(pre.rescale) \(output.name) \(normalize)"
        var fingerprint = FNV1a()
        fingerprint.combine(bytes: Array(description.utf8))
        self.identity = EncoderIdentity(
            name: name, modality: .image, dimension: dimension,
            modelHash: "onnx-" + (try ModelFiles.fingerprint(modelPath)) + "-" + String(fingerprint.value, radix: 16))
    }

    /// Frees the interpreter's cached intermediate buffers (shared by all models) with the encoder.
    deinit { ONNXModel.releaseCachedBuffers() }

    public var preparedCount: Int { 3 * height * width }

    public func prepare(_ image: Image) -> [Float] {
        let values = preprocessor.pixelValues(image)
        if values.count == preparedCount { return values }
        // Only reachable when the preprocessing has no fixed output size: fit to the model's.
        var fitted = preprocessor
        fitted.cropWidth = width
        fitted.cropHeight = height
        return fitted.pixelValues(image)
    }

    public func encode(prepared: [Float], count: Int) throws -> [Float] {
        try embed(pixelValues: prepared, count: count)
    }

    /// Runs the model on `[count, 3, height, width]` pixel values and pools the chosen output:
    /// `[count, dimension]`.
    public func embed(pixelValues: [Float], count: Int) throws -> [Float] {
        let input = try ONNXValue(floats: pixelValues, shape: [count, 3, height, width])
        let results = try model.run([inputName: input])
        guard let value = results[output.name] else {
            throw EncoderError.modelMismatch(path: model.path, reason: "output \(output.name) missing from the run")
        }
        var (rows, dimension) = try output.pooling.apply(value.floats, shape: value.shape)
        if normalize { Pooling.l2Normalize(&rows, dimension: dimension) }
        return rows
    }
}
