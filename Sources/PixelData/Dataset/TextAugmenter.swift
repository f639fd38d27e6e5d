/// Options of `TextAugmenter`; all probabilities are in [0, 1].
public struct TextAugmentOptions: Sendable, Equatable {
    /// Each token is deleted with this probability (never all of them). Default 0.1.
    public var deleteProbability = 0.1
    /// Each adjacent token pair is swapped with this probability. Default 0.1.
    public var swapProbability = 0.1
    /// The whole token order is shuffled with this probability. Default 0.
    public var shuffleProbability = 0.0
    public var seed: UInt64 = 42

    public init(
        deleteProbability: Double = 0.1, swapProbability: Double = 0.1, shuffleProbability: Double = 0,
        seed: UInt64 = 42
    ) {
        self.deleteProbability = deleteProbability
        self.swapProbability = swapProbability
        self.shuffleProbability = shuffleProbability
        self.seed = seed
    }

    /// - Throws: `DataError.invalidOption` naming the option.
    public func validate() throws {
        for (name, p) in [
            ("token_delete_probability", deleteProbability), ("token_swap_probability", swapProbability),
            ("token_shuffle_probability", shuffleProbability),
        ] {
            guard p.isFinite, (0...1).contains(p) else {
                throw DataError.invalidOption(name: name, reason: "\(p) is outside [0, 1]")
            }
        }
    }
}

/// Seeded text augmentation on whitespace tokens: random deletion, adjacent swaps, optional shuffle.
///
/// `augment(text, epoch:, item:)` is a pure function of `(seed, epoch, item, text)`.
public struct TextAugmenter: Sendable {
    public let options: TextAugmentOptions

    public init(options: TextAugmentOptions = .init()) throws {
        try options.validate()
        self.options = options
    }

    public func augment(_ text: String, epoch: Int, item: Int) -> String {
        var rng = SeededGenerator(
            seed: options.seed, stream: UInt64(truncatingIfNeeded: epoch) << 32 ^ UInt64(truncatingIfNeeded: item))
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard tokens.count > 1 else { return text }
        if options.deleteProbability > 0 {
            let kept = tokens.filter { _ in rng.unit() >= options.deleteProbability }
            tokens = kept.isEmpty ? [tokens[rng.below(tokens.count)]] : kept
        }
        if options.swapProbability > 0 && tokens.count > 1 {
            var k = 0
            while k < tokens.count - 1 {
                if rng.unit() < options.swapProbability {
                    tokens.swapAt(k, k + 1)
                    k += 2
                } else {
                    k += 1
                }
            }
        }
        if options.shuffleProbability > 0 && rng.unit() < options.shuffleProbability { tokens.shuffle(using: &rng) }
        return tokens.joined(separator: " ")
    }
}
