import Synchronization

/// Settings handed to an encoder factory.
public struct EncoderOptions: Sendable {
    /// Folder with the ONNX model, tokenizer and preprocessing files (`model.*_model_path`).
    public var modelDirectory: String?
    /// Threads the encoder may use.
    public var threads: Int
    /// Output size for built-in encoders whose size is a parameter (`nil` = their default).
    public var dimension: Int?

    public init(modelDirectory: String? = nil, threads: Int = 2, dimension: Int? = nil) {
        self.modelDirectory = modelDirectory
        self.threads = max(1, threads)
        self.dimension = dimension
    }
}

/// One registered encoder family: a name and factories for the modalities it embeds.
public struct EncoderEntry: Sendable {
    public typealias ImageFactory = @Sendable (EncoderOptions) throws -> any ImageEncoder
    public typealias TextFactory = @Sendable (EncoderOptions) throws -> any TextEncoder

    public let name: String
    public let summary: String
    public let makeImageEncoder: ImageFactory?
    public let makeTextEncoder: TextFactory?

    public init(name: String, summary: String, image: ImageFactory? = nil, text: TextFactory? = nil) {
        self.name = name
        self.summary = summary
        self.makeImageEncoder = image
        self.makeTextEncoder = text
    }

    public var modalities: [EncoderModality] {
        (makeImageEncoder == nil ? [] : [.image]) + (makeTextEncoder == nil ? [] : [.text])
    }
}

/// Encoder name → factory, in the shape of mlx-swift's model type registries: callers ask by name, and
/// new encoders are added with ``register(_:)`` without touching them.
///
/// ``shared`` starts with the built-in encoders (`builtin`: colour/texture histogram images and hashed
/// TF-IDF text) and the ONNX-backed families (`clip`, `dino`, `resnet`, `convnext`, `sentence-bert`,
/// `mpnet`, `bert`, `roberta`).
public final class EncoderRegistry: Sendable {
    private let entries: Mutex<[String: EncoderEntry]>

    public init(_ entries: [EncoderEntry] = []) {
        self.entries = Mutex(Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }))
    }

    /// The process-wide registry with every standard encoder.
    public static let shared = EncoderRegistry(standardEntries())

    /// Adds or replaces the entry of `entry.name`.
    public func register(_ entry: EncoderEntry) {
        entries.withLock { $0[entry.name] = entry }
    }

    /// Registered names, sorted.
    public var names: [String] { entries.withLock { $0.keys.sorted() } }

    /// The entry named `name`.
    /// - Throws: `EncoderError.unknownEncoder` listing the registered names.
    public func entry(named name: String) throws -> EncoderEntry {
        guard let entry = entries.withLock({ $0[name] }) else {
            throw EncoderError.unknownEncoder(name: name, known: names)
        }
        return entry
    }

    /// A new image encoder of family `name`.
    /// - Throws: `.unknownEncoder`, `.unsupportedModality`, or the factory's error (missing model files).
    public func imageEncoder(named name: String, options: EncoderOptions = EncoderOptions()) throws -> any ImageEncoder
    {
        guard let factory = try entry(named: name).makeImageEncoder else {
            throw EncoderError.unsupportedModality(encoder: name, modality: "images")
        }
        return try factory(options)
    }

    /// A new text encoder of family `name`.
    /// - Throws: `.unknownEncoder`, `.unsupportedModality`, or the factory's error (missing model files).
    public func textEncoder(named name: String, options: EncoderOptions = EncoderOptions()) throws -> any TextEncoder {
        guard let factory = try entry(named: name).makeTextEncoder else {
            throw EncoderError.unsupportedModality(encoder: name, modality: "texts")
        }
        return try factory(options)
    }
}
