import CPixelKernels

/// SIMD loops over raw float buffers (float reductions need explicit SIMD accumulators to vectorize).
enum VectorKernels {
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
            i &+= 16
        }
        var s = acc.sum()
        while i < n { s += p[i]; i &+= 1 }
        return s
    }

    /// `Σ a[i]·b[i]`: the C kernel `dot` of the instruction set chosen at run time (``DenseKernels``).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        DenseKernels.active.dot(a, b, n)
    }

    /// `Σ (p[i] - mean)²`.
    @inline(__always)
    static func sumSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
        var acc = SIMD16<Float>()
        let m = SIMD16<Float>(repeating: mean)
        var i = 0
        while i &+ 16 <= n {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - m
            acc += d * d
            i &+= 16
        }
        var s = acc.sum()
        while i < n { let d = p[i] - mean; s += d * d; i &+= 1 }
        return s
    }

    /// `y[i] += b[i]`.
    @inline(__always)
    static func add(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i &+ 16 <= n {
            let v =
                UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
                + UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { y[i] += b[i]; i &+= 1 }
    }
}

/// Vectorized transcendental functions (16 lanes).
enum VectorMath {
    typealias V = SIMD16<Float>

    /// `e^x` (Cody–Waite reduction + Cephes polynomial; relative error ≈ 2 ulp; inputs clamped to [-87, 88]).
    @inline(__always)
    static func exp(_ input: V) -> V {
        // Clamp and round with compares and a magic-number add: SIMD16's generic `clamped` and
        // `rounded(.toNearestOrEven)` compiled to per-lane code (measured 10x slower for the whole function).
        let x = input.replacing(with: V(repeating: -87), where: input .< -87)
            .replacing(with: V(repeating: 88), where: input .> 88)
        // |x·log2(e)| ≤ 127: adding 1.5·2²³ rounds it to the nearest integer (ties to even, as
        // `rounded(.toNearestOrEven)`) in the low mantissa bits, which also give the exponent below.
        let magic = V(repeating: 12_582_912)
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        var r = x - n * 0.693145751953125
        r = r - n * 1.428606765330187045e-06
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let bits = (ni &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: V.self)
    }

    /// `erf(x)` (Abramowitz–Stegun 7.1.26; absolute error ≤ 1.5e-7 plus the `exp` error).
    @inline(__always)
    static func erf(_ x: V) -> V {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: V.self)
        let t = 1 / (1 + 0.3275911 * a)
        var y = 1.061405429 * t - 1.453152027
        y = y * t + 1.421413741
        y = y * t - 0.284496736
        y = y * t + 0.254829592
        y = y * t
        let r = 1 - y * exp(-(a * a))
        let rb = unsafeBitCast(r, to: SIMD16<UInt32>.self)
        return unsafeBitCast((rb & 0x7FFF_FFFF) | (bits & 0x8000_0000), to: V.self)
    }

    /// `0.5·x·(1 + erf(x/√2))`.
    @inline(__always)
    static func gelu(_ x: V) -> V { 0.5 * x * (1 + erf(x * 0.70710678118654752)) }

    /// `1 / (1 + e^-x)`.
    @inline(__always)
    static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    /// Applies `f` to `n` floats, 16 at a time (the tail goes through a zero-padded vector).
    @inline(__always)
    static func map(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        while i &+ 16 <= n {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: V.self)
            i &+= 16
        }
        if i < n {
            var v = V()
            for k in 0..<(n - i) { v[k] = src[i + k] }
            let r = f(v)
            for k in 0..<(n - i) { dst[i + k] = r[k] }
        }
    }
}
