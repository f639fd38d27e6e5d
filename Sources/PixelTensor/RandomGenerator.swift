#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A seeded xoshiro256** generator: every random choice in pixelrec takes one of these.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole stream is determined by `seed` (state expanded with SplitMix64).
    public init(seed: UInt64) {
        var x = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&x); s1 = splitmix(&x); s2 = splitmix(&x); s3 = splitmix(&x)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in `[0, 1)` with 24 random bits.
    @inlinable
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal (Box–Muller).
    @inlinable
    public mutating func nextNormal() -> Float {
        let u1 = Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Uniform integer in `0..<bound`.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int { Int(next(upperBound: UInt64(bound))) }
}

extension Tensor {
    /// Scalars drawn from `N(mean, std²)`.
    public static func randomNormal(
        shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator
    ) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableBufferPointer { p in
            // Box–Muller yields two independent normals per pair of uniforms; use both.
            var i = 0
            while i < p.count {
                let u1 = Double((generator.next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)
                let u2 = Double(generator.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
                let r = (-2 * log(u1)).squareRoot(), theta = 2 * Double.pi * u2
                p[i] = mean + std * Float(r * cos(theta))
                if i + 1 < p.count { p[i + 1] = mean + std * Float(r * sin(theta)) }
                i += 2
            }
        }
        return t
    }

    /// Scalars drawn uniformly from `[low, high)`.
    public static func randomUniform(
        shape: [Int], low: Float = 0, high: Float = 1, generator: inout RandomGenerator
    ) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = low + (high - low) * generator.nextUniform() }
        }
        return t
    }
}
