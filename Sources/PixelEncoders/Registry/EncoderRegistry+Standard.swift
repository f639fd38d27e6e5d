extension EncoderRegistry {
    /// The entries ``shared`` starts with.
    public static func standardEntries() -> [EncoderEntry] {
        var entries = [
            EncoderEntry(
                name: "builtin",
                summary:
                    "No weights: colour/texture histograms (images, 192-d), hashed TF-IDF of words and bigrams (texts, 512-d).",
                image: { _ in HistogramImageEncoder() },
                text: { options in
                    HashedTFIDFEncoder(dimension: options.dimension ?? HashedTFIDFEncoder.defaultDimension)
                })
        ]
        entries.append(contentsOf: ModelSpec.standard.map(\.entry))
        return entries
    }
}
