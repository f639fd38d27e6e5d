import PixelImage

/// What an ONNX-backed encoder family needs to know: which files to open, how to prepare input, which
/// output to read and how to pool it.
public struct ModelSpec: Sendable {
    /// One output to read and how it becomes a vector.
    public struct Output: Sendable, Equatable {
        public var name: String
        public var pooling: Pooling

        public init(_ name: String, _ pooling: Pooling) {
            self.name = name
            self.pooling = pooling
        }
    }

    /// The image tower.
    public struct Vision: Sendable {
        /// Model file names tried in order; then any `.onnx` whose name contains `fileHint`; then the only
        /// `.onnx` in the folder.
        public var modelFiles: [String]
        public var fileHint: String?
        /// Used when the folder has no `preprocessor_config.json`.
        public var preprocessor: ImagePreprocessor
        public var inputName = "pixel_values"
        /// Outputs in order of preference; the first the model has is used.
        public var outputs: [Output]
        /// L2-normalise the pooled vectors.
        public var normalize = false
    }

    /// The text tower.
    public struct Text: Sendable {
        public var modelFiles: [String]
        public var fileHint: String?
        /// Forces the tokenizer family (`nil`: from the folder's files).
        public var tokenizerKind: TextTokenizer.Kind?
        public var outputs: [Output]
        public var normalize = false
    }

    public var name: String
    public var summary: String
    public var vision: Vision?
    public var text: Text?

    static let defaultFiles = ["model.onnx"]
    static let cnnOutputs = [
        Output("pooler_output", .output), Output("pooled", .output), Output("features", .output),
        Output("last_hidden_state", .globalAverage),
    ]
    static let tokenOutputs = [
        Output("pooler_output", .output), Output("pooled", .output), Output("last_hidden_state", .cls),
    ]

    /// The standard families. Preprocessing defaults follow the Hugging Face image processors of the
    /// reference checkpoints; a `preprocessor_config.json` in the model folder overrides them.
    public static let standard: [ModelSpec] = [
        ModelSpec(
            name: "clip",
            summary: "CLIP (ViT) image and text towers; the projection outputs image_embeds / text_embeds.",
            vision: Vision(
                modelFiles: ["vision_model.onnx", "image_model.onnx"], fileHint: "vision", preprocessor: .clip(),
                outputs: [Output("image_embeds", .output)]),
            text: Text(
                modelFiles: ["text_model.onnx"], fileHint: "text", tokenizerKind: .clip,
                outputs: [Output("text_embeds", .output)])),
        ModelSpec(
            name: "dino", summary: "DINO / DINOv2 / ViT image encoder; the class token (pooler output).",
            vision: Vision(
                modelFiles: defaultFiles, fileHint: nil,
                preprocessor: .imagenet(size: 224, resize: 256, filter: .bicubic), outputs: tokenOutputs)),
        ModelSpec(
            name: "resnet",
            summary: "ResNet-style CNN (also EfficientNet); global average pool of the last feature map.",
            vision: Vision(
                modelFiles: defaultFiles, fileHint: nil,
                preprocessor: .imagenet(size: 224, resize: 256, filter: .bilinear),
                outputs: cnnOutputs)),
        ModelSpec(
            name: "convnext", summary: "ConvNeXt; pooled (global average + layer norm) output.",
            vision: Vision(
                modelFiles: defaultFiles, fileHint: nil,
                preprocessor: .imagenet(size: 224, resize: 256, filter: .bicubic),
                outputs: cnnOutputs)),
        ModelSpec(
            name: "efficientnet", summary: "EfficientNet(-Lite) CNN; the global-pooled features output.",
            vision: Vision(
                modelFiles: defaultFiles, fileHint: nil,
                preprocessor: .imagenet(size: 224, resize: 224, filter: .bicubic),
                outputs: cnnOutputs)),
        ModelSpec(
            name: "sentence-bert",
            summary: "Sentence-BERT (e.g. all-MiniLM-L6-v2): masked mean of token states, L2-normalised.",
            text: Text(
                modelFiles: defaultFiles, fileHint: nil, tokenizerKind: nil,
                outputs: [
                    Output("sentence_embedding", .output), Output("last_hidden_state", .maskedMean),
                    Output("token_embeddings", .maskedMean),
                ],
                normalize: true)),
        ModelSpec(
            name: "mpnet", summary: "MPNet sentence encoder (e.g. all-mpnet-base-v2): masked mean, L2-normalised.",
            text: Text(
                modelFiles: defaultFiles, fileHint: nil, tokenizerKind: .mpnet,
                outputs: [Output("sentence_embedding", .output), Output("last_hidden_state", .maskedMean)],
                normalize: true)),
        ModelSpec(
            name: "bert", summary: "BERT: the [CLS] token's final hidden state.",
            text: Text(
                modelFiles: defaultFiles, fileHint: nil, tokenizerKind: .bert,
                outputs: [Output("last_hidden_state", .cls)])),
        ModelSpec(
            name: "roberta", summary: "RoBERTa: the <s> token's final hidden state.",
            text: Text(
                modelFiles: defaultFiles, fileHint: nil, tokenizerKind: .roberta,
                outputs: [Output("last_hidden_state", .cls)])),
    ]

    /// The registry entry of this family.
    public var entry: EncoderEntry {
        let spec = self
        var image: EncoderEntry.ImageFactory? = nil
        var text: EncoderEntry.TextFactory? = nil
        if vision != nil { image = { options in try spec.makeImageEncoder(options) } }
        if self.text != nil { text = { options in try spec.makeTextEncoder(options) } }
        return EncoderEntry(name: name, summary: summary, image: image, text: text)
    }
}
