import Foundation

/// The latent model behind synthetic data.
///
/// Each item has a visual/textual class `c = (hue h ∈ 0..<8, shape s ∈ 0..<4, texture t ∈ 0..<3)` and a
/// popularity `pᵢ = exp(0.9·z)`, `z ~ N(0, 1)`. Each user has tastes `wʰ ∈ ℝ⁸, wˢ ∈ ℝ⁴, wᵗ ∈ ℝ³`
/// (Gaussian, σ = 1.6, 1.0, 0.7) and chooses items with
/// `P(i | u) ∝ exp(wʰ[hᵢ] + wˢ[sᵢ] + wᵗ[tᵢ]) · pᵢ` — a softmax over taste·(one-hot item factors) plus
/// log-popularity — without replacement. Images draw the hue as the shape's colour, the shape, and the
/// texture; titles, tags and descriptions use words of the item's hue/shape/texture (with 20 % noise),
/// so image and text features genuinely predict preferences. Sampling factorises over the 96 classes
/// (class by softmax, then item within class by popularity), so it costs O(log items) per interaction.
public struct SynthWorld: Sendable {
    public static let hues = 8, shapes = 4, textures = 3
    public static let classes = hues * shapes * textures

    public let options: SynthOptions
    /// Per item: hue, shape, texture, popularity.
    public let hue: [UInt8], shape: [UInt8], texture: [UInt8]
    public let popularity: [Double]
    /// Per user: `classes` logits `wʰ[h] + wˢ[s] + wᵗ[t]` for class `(h·4 + s)·3 + t`.
    public let userLogits: [Float]
    /// Items of each class, and the cumulative popularity within the class.
    let classItems: [[Int32]]
    let classCumulative: [[Double]]

    @inline(__always) public static func classIndex(hue: Int, shape: Int, texture: Int) -> Int {
        (hue * shapes + shape) * textures + texture
    }

    public init(options: SynthOptions) {
        self.options = options
        var rng = SeededGenerator(seed: options.seed, stream: 1)
        var hue = [UInt8](repeating: 0, count: options.items)
        var shape = hue, texture = hue
        var popularity = [Double](repeating: 0, count: options.items)
        for i in 0..<options.items {
            hue[i] = UInt8(rng.below(Self.hues))
            shape[i] = UInt8(rng.below(Self.shapes))
            texture[i] = UInt8(rng.below(Self.textures))
            popularity[i] = exp(0.9 * Self.gaussian(&rng))
        }
        var classItems = [[Int32]](repeating: [], count: Self.classes)
        for i in 0..<options.items {
            classItems[Self.classIndex(hue: Int(hue[i]), shape: Int(shape[i]), texture: Int(texture[i]))].append(
                Int32(i))
        }
        classCumulative = classItems.map { items in
            var sum = 0.0
            return items.map {
                sum += popularity[Int($0)]; return sum
            }
        }
        var logits = [Float](repeating: 0, count: options.users * Self.classes)
        var userRng = SeededGenerator(seed: options.seed, stream: 2)
        for u in 0..<options.users {
            let wh = (0..<Self.hues).map { _ in 1.6 * Self.gaussian(&userRng) }
            let ws = (0..<Self.shapes).map { _ in 1.0 * Self.gaussian(&userRng) }
            let wt = (0..<Self.textures).map { _ in 0.7 * Self.gaussian(&userRng) }
            for h in 0..<Self.hues {
                for s in 0..<Self.shapes {
                    for t in 0..<Self.textures {
                        logits[u * Self.classes + Self.classIndex(hue: h, shape: s, texture: t)] = Float(
                            wh[h] + ws[s] + wt[t])
                    }
                }
            }
        }
        self.hue = hue
        self.shape = shape
        self.texture = texture
        self.popularity = popularity
        self.userLogits = logits
        self.classItems = classItems
    }

    /// A standard normal draw (Box–Muller).
    static func gaussian(_ rng: inout SeededGenerator) -> Double {
        let u1 = max(rng.unit(), 1e-300), u2 = rng.unit()
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }

    /// How many interactions each user makes: lognormal activity (σ = 0.8) scaled to sum to
    /// `options.interactions`, each capped at `items / 2`.
    public func interactionCounts() -> [Int] {
        var rng = SeededGenerator(seed: options.seed, stream: 3)
        let weights = (0..<options.users).map { _ in exp(0.8 * Self.gaussian(&rng)) }
        let total = weights.reduce(0, +)
        let cap = options.items / 2
        var counts = weights.map { min(cap, Int(Double(options.interactions) * $0 / total)) }
        var remaining = options.interactions - counts.reduce(0, +)
        while remaining > 0 {
            let u = rng.below(options.users)
            if counts[u] < cap {
                counts[u] += 1
                remaining -= 1
            }
        }
        return counts
    }

    /// Draws user `u`'s `count` distinct items in time order, with timestamps.
    /// - Parameters:
    ///   - marks: scratch of `items` entries, used to reject repeats (entries equal to `u + 1` are taken).
    func draw(
        user u: Int, count: Int, marks: inout [Int32], rng: inout SeededGenerator, into body: (Int32, Int64) -> Void
    ) {
        guard count > 0 else { return }
        // Class distribution ∝ exp(logit) · (popularity mass of the class).
        var cumulative = [Double](repeating: 0, count: Self.classes)
        var sum = 0.0
        var maxLogit: Float = -.infinity
        for c in 0..<Self.classes { maxLogit = max(maxLogit, userLogits[u * Self.classes + c]) }
        for c in 0..<Self.classes {
            let mass = classCumulative[c].last ?? 0
            sum += mass > 0 ? Double(exp(userLogits[u * Self.classes + c] - maxLogit)) * mass : 0
            cumulative[c] = sum
        }
        var time = options.startTimestamp + Int64(rng.below(180 * 86_400))
        var drawn = 0
        var attempts = 0
        let stamp = Int32(u + 1)
        while drawn < count {
            attempts += 1
            let c = Self.search(cumulative, rng.unit() * sum)
            let items = classItems[c]
            let item = items[Self.search(classCumulative[c], rng.unit() * (classCumulative[c].last ?? 0))]
            if marks[Int(item)] == stamp {
                // Heavy users exhaust their favourite classes: after many repeats fall back to uniform items.
                if attempts < count * 20 { continue }
                var fallback = Int32(rng.below(options.items))
                while marks[Int(fallback)] == stamp { fallback = Int32((Int(fallback) + 1) % options.items) }
                marks[Int(fallback)] = stamp
                time += 1 + Int64(-log(max(rng.unit(), 1e-12)) * 86_400)
                body(fallback, time)
                drawn += 1
                continue
            }
            marks[Int(item)] = stamp
            time += 1 + Int64(-log(max(rng.unit(), 1e-12)) * 86_400)
            body(item, time)
            drawn += 1
        }
    }

    /// The first index whose cumulative value exceeds `x`.
    @inline(__always)
    static func search(_ cumulative: [Double], _ x: Double) -> Int {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > x { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Title, tag and description of item `i` (seeded by item).
    func text(item i: Int) -> (title: String, tag: String, description: String) {
        var rng = SeededGenerator(seed: options.seed, stream: 1_000_000 + UInt64(i))
        func pick(_ words: [String]) -> String { words[rng.below(words.count)] }
        // 20 % of signal words come from a random class instead (noise).
        func hueWord() -> String {
            pick(SynthVocabulary.hueWords[rng.unit() < 0.2 ? rng.below(Self.hues) : Int(hue[i])])
        }
        func shapeWord() -> String {
            pick(SynthVocabulary.shapeWords[rng.unit() < 0.2 ? rng.below(Self.shapes) : Int(shape[i])])
        }
        func textureWord() -> String {
            pick(SynthVocabulary.textureWords[rng.unit() < 0.2 ? rng.below(Self.textures) : Int(texture[i])])
        }
        let title = [textureWord().capitalized, hueWord(), shapeWord(), pick(SynthVocabulary.filler)].joined(
            separator: " ")
        let tag = rng.unit() < 0.2 ? pick(SynthVocabulary.hueTags) : SynthVocabulary.hueTags[Int(hue[i])]
        var words: [String] = []
        for _ in 0..<6 + rng.below(10) {
            switch rng.below(5) {
            case 0: words.append(hueWord())
            case 1: words.append(shapeWord())
            case 2: words.append(textureWord())
            default: words.append(pick(SynthVocabulary.filler))
            }
        }
        return (title, tag, words.joined(separator: " ").capitalized(firstOnly: true) + ".")
    }
}

extension String {
    func capitalized(firstOnly: Bool) -> String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
