import PixelImage

/// What an encoder embeds.
public enum EncoderModality: String, Sendable, CaseIterable {
    case image, text
}

/// Identity of an encoder's output space: two stores with the same identity hold comparable vectors.
public struct EncoderIdentity: Sendable, Equatable, CustomStringConvertible {
    /// Registry name (`clip`, `sentence-bert`, `builtin`, …).
    public var name: String
    public var modality: EncoderModality
    public var dimension: Int
    /// Hash of what determines the output: the model file's SHA-256 prefix, or a built-in's version
    /// and parameters. A changed hash makes a feature store stale.
    public var modelHash: String

    public init(name: String, modality: EncoderModality, dimension: Int, modelHash: String) {
        self.name = name
        self.modality = modality
        self.dimension = dimension
        self.modelHash = modelHash
    }

    public var description: String { "\(name) (\(modality.rawValue), \(dimension)-d, \(modelHash))" }
}

/// Embeds images: `prepare` (per image, thread-safe, run in parallel by callers) then `encode`
/// (per batch).
public protocol ImageEncoder: Sendable {
    var identity: EncoderIdentity { get }
    /// Floats per prepared image (e.g. `3·224·224` for a model's pixel values).
    var preparedCount: Int { get }
    /// Per-image work: resize, crop, normalize (or the whole feature for built-ins). Thread-safe.
    func prepare(_ image: Image) -> [Float]
    /// `[count, dimension]` row-major embeddings of `count` prepared images laid out back to back.
    func encode(prepared: [Float], count: Int) throws -> [Float]
    /// Whether two `encode` calls may run at once (false when the model uses both cores itself).
    var allowsConcurrentBatches: Bool { get }
}

/// Embeds texts.
public protocol TextEncoder: Sendable {
    var identity: EncoderIdentity { get }
    /// `[texts.count, dimension]` row-major embeddings.
    func encode(_ texts: [String]) throws -> [Float]
    /// The encoder fitted to a corpus (corpus statistics such as IDF); `self` for pretrained models.
    func adapted(to corpus: [String]) -> any TextEncoder
    /// Whether two `encode` calls may run at once.
    var allowsConcurrentBatches: Bool { get }
}

extension ImageEncoder {
    public var allowsConcurrentBatches: Bool { false }
}

extension TextEncoder {
    public func adapted(to corpus: [String]) -> any TextEncoder { self }
    public var allowsConcurrentBatches: Bool { false }
}
