import Foundation

extension ModelSpec {
    func folder(_ options: EncoderOptions) -> String { options.modelDirectory ?? "models/encoders/\(name)" }

    /// Opens the image tower in the model folder; `preprocessor_config.json` there overrides the
    /// family's preprocessing defaults.
    func makeImageEncoder(_ options: EncoderOptions) throws -> any ImageEncoder {
        guard let vision else { throw EncoderError.unsupportedModality(encoder: name, modality: "images") }
        let directory = folder(options)
        let file = try ModelFiles.locate(in: directory, names: vision.modelFiles, hint: vision.fileHint)
        var preprocessor = vision.preprocessor
        let configPath = directory + "/preprocessor_config.json"
        if FileManager.default.fileExists(atPath: configPath) {
            preprocessor = try ImagePreprocessor.load(contentsOf: configPath, defaults: preprocessor)
        }
        return try ONNXImageEncoder(
            name: name, modelPath: file, preprocessor: preprocessor, inputName: vision.inputName,
            outputs: vision.outputs, normalize: vision.normalize, threads: options.threads)
    }

    /// Opens the text tower and its tokenizer in the model folder.
    func makeTextEncoder(_ options: EncoderOptions) throws -> any TextEncoder {
        guard let text else { throw EncoderError.unsupportedModality(encoder: name, modality: "texts") }
        let directory = folder(options)
        let file = try ModelFiles.locate(in: directory, names: text.modelFiles, hint: text.fileHint)
        let tokenizer = try TextTokenizer.load(directory: directory, kind: text.tokenizerKind)
        return try ONNXTextEncoder(
            name: name, modelPath: file, tokenizer: tokenizer, outputs: text.outputs, normalize: text.normalize,
            threads: options.threads)
    }
}
