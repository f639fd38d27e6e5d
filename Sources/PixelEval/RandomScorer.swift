import PixelData

/// Uniform random scores in `[0, 1)`, reproducible: user `u`'s row depends only on `(seed, u)`, not on
/// how users are grouped into blocks or threads.
public struct RandomScorer: Scorer {
    public let itemCount: Int
    public let seed: UInt64
    public var description: String { "random(seed=\(seed))" }

    public init(itemCount: Int, seed: UInt64) {
        self.itemCount = itemCount
        self.seed = seed
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        for (r, user) in users.enumerated() {
            var generator = SeededGenerator(seed: seed, stream: UInt64(UInt32(bitPattern: user)))
            let row = scores.baseAddress! + r * itemCount
            for i in 0..<itemCount { row[i] = Float(generator.next() >> 40) * 0x1.0p-24 }
        }
    }
}
