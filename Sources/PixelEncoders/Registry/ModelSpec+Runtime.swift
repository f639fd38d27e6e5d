extension ModelSpec {
    /// Placeholder until PixelONNX is linked: ONNX-backed encoders are not available in this build.
    func makeImageEncoder(_ options: EncoderOptions) throws -> any ImageEncoder {
        throw EncoderError.missingFile(path: options.modelDirectory ?? "models/encoders/\(name)", what: "ONNX runtime (PixelONNX)")
    }

    func makeTextEncoder(_ options: EncoderOptions) throws -> any TextEncoder {
        throw EncoderError.missingFile(path: options.modelDirectory ?? "models/encoders/\(name)", what: "ONNX runtime (PixelONNX)")
    }
}
