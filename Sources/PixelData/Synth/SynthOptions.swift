/// Options of the synthetic PixelRec-format data generator (`pixelrec synth`).
public struct SynthOptions: Sendable, Equatable {
    /// Number of users (ids `u1` …). Default 1000.
    public var users = 1000
    /// Number of items (ids `i1` …). Default 500.
    public var items = 500
    /// Total interactions; each user draws without replacement, so the count is capped at
    /// `users · items / 2`. Default 20 000.
    public var interactions = 20_000
    /// Seed of every random choice. Default 42.
    public var seed: UInt64 = 42
    /// Side of the square images in pixels. Default 128.
    public var imageSize = 128
    /// Whether to draw and encode `images/<item_id>.jpg`. Default true.
    public var withImages = true
    /// JPEG quality of the images (1…100). Default 88.
    public var jpegQuality = 88
    /// Unix time of the earliest interaction. Default 1 600 000 000 (2020-09-13).
    public var startTimestamp: Int64 = 1_600_000_000
    /// Worker threads for image drawing and encoding. Default 2.
    public var workers = 2

    public init(
        users: Int = 1000, items: Int = 500, interactions: Int = 20_000, seed: UInt64 = 42, imageSize: Int = 128,
        withImages: Bool = true
    ) {
        self.users = users
        self.items = items
        self.interactions = interactions
        self.seed = seed
        self.imageSize = imageSize
        self.withImages = withImages
    }

    /// - Throws: `DataError.invalidOption` naming the option.
    public func validate() throws {
        guard users > 0 else { throw DataError.invalidOption(name: "users", reason: "must be > 0") }
        guard items > 1 else { throw DataError.invalidOption(name: "items", reason: "must be > 1") }
        guard interactions > 0 else { throw DataError.invalidOption(name: "interactions", reason: "must be > 0") }
        guard interactions <= users * (items / 2) else {
            throw DataError.invalidOption(
                name: "interactions", reason: "\(interactions) exceeds users × items / 2 = \(users * (items / 2))")
        }
        guard (16...2048).contains(imageSize) else {
            throw DataError.invalidOption(name: "image_size", reason: "must be in 16…2048")
        }
        guard (1...100).contains(jpegQuality) else {
            throw DataError.invalidOption(name: "jpeg_quality", reason: "must be in 1…100")
        }
        guard workers > 0 else { throw DataError.invalidOption(name: "workers", reason: "must be > 0") }
    }
}

/// What `SynthGenerator.generate` wrote.
public struct SynthReport: Sendable, Equatable, Codable {
    public var users = 0
    public var items = 0
    public var interactions = 0
    public var images = 0
    public var seed: UInt64 = 0
    /// Wall time per stage in seconds: `interactions`, `items`, `images`.
    public var seconds: [String: Double] = [:]
}
