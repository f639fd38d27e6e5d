/// Low-level loops over raw buffers shared by the ops. Reductions use SIMD16 accumulators because
/// the compiler never reorders float additions on its own.
@usableFromInline
enum Kernels {
    /// `Σ p[i]` for `i < n`.
    @inlinable @inline(__always)
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

    /// `Σ a[i]·b[i]` for `i < n`.
    @inlinable @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= n {
            acc +=
                UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            i &+= 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i &+= 1 }
        return s
    }

    /// `p[i] *= factor` for `i < n`.
    @inlinable
    static func scale(_ p: UnsafeMutablePointer<Float>, _ n: Int, by factor: Float) {
        let f = SIMD16<Float>(repeating: factor)
        var i = 0
        while i &+ 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) * f
            UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { p[i] *= factor; i &+= 1 }
    }

    /// `dst[i] += src[i]` for `i < n`.
    @inlinable
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i &+ 16 <= n {
            let v =
                UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD16<Float>.self)
                + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { dst[i] += src[i]; i &+= 1 }
    }

    /// `e^x` lane by lane: `e^x = 2^k · e^r`, `k = round(x·log2 e)`, `r = x − k·ln 2` (two-part ln 2),
    /// `e^r` by Cephes' degree-6 polynomial (relative error < 2e-7); `x` is clamped to `[−87.3, 88.7]`
    /// (so results below ~1e-38 come out as ~1e-38: negligible in a softmax). Plain multiplies and adds,
    /// no FMA, so every SIMD width gives the same bits.
    @inlinable @inline(__always)
    static func exp16(_ v: SIMD16<Float>) -> SIMD16<Float> {
        // The clamp as compares and selects: `pointwiseMin`/`pointwiseMax` are a per-lane loop over
        // `Float.minimum`/`maximum`, which only a build with -target-cpu turns into vector code (measured in a
        // plain `swift build -c release`: half of a sequence training step). Same values, a NaN lane included
        // (it becomes −87.3, as `maximum` returns the number).
        let floor = SIMD16<Float>(repeating: -87.3), ceiling = SIMD16<Float>(repeating: 88.7)
        let low = floor.replacing(with: v, where: v .> floor)
        let x = low.replacing(with: ceiling, where: low .> ceiling)
        let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5·2^23: adding it rounds to an integer
        let shifted = x * SIMD16(repeating: 1.442_695_04) + magic
        let k = shifted - magic
        // The integer k sits in the low mantissa bits of `shifted` (0x4B40_0000 is the magic's pattern);
        // a bit cast, because SIMD float-to-int conversions take a generic per-lane path here.
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let r = (x - k * SIMD16(repeating: 0.693_359_375)) - k * SIMD16(repeating: -2.121_944_4e-4)
        var y = SIMD16<Float>(repeating: 1.987_569_15e-4)
        y = y * r + SIMD16(repeating: 1.398_199_95e-3)
        y = y * r + SIMD16(repeating: 8.333_451_9e-3)
        y = y * r + SIMD16(repeating: 4.166_579_59e-2)
        y = y * r + SIMD16(repeating: 1.666_666_55e-1)
        y = y * r + SIMD16(repeating: 5.000_000_12e-1)
        y = y * (r * r) + r + SIMD16(repeating: 1)
        let bits = (integer &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    /// `out[i] = e^{p[i] − shift}` for `i < n`, returning `Σ out[i]` (SIMD16 lanes, then the tail;
    /// ``exp16(_:)``). `out` may be `p` (each block of 16 is read before it is written).
    @inlinable
    static func expShifted(_ p: UnsafePointer<Float>, _ n: Int, shift: Float, into out: UnsafeMutablePointer<Float>)
        -> Float
    {
        var acc = SIMD16<Float>()
        let s16 = SIMD16<Float>(repeating: shift)
        var i = 0
        while i &+ 16 <= n {
            let e = exp16(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - s16)
            UnsafeMutableRawPointer(out + i).storeBytes(of: e, as: SIMD16<Float>.self)
            acc += e
            i &+= 16
        }
        if i < n {
            var tail = SIMD16<Float>(repeating: -200)
            for j in i..<n { tail[j &- i] = p[j] - shift }
            var e = exp16(tail)
            for j in (n &- i)..<16 { e[j] = 0 }
            for j in i..<n { out[j] = e[j &- i] }
            acc += e
        }
        return acc.sum()
    }

    /// `out[i] = e^{(p[i] − q[i]) − shift}` for `i < n`, returning `Σ out[i]`: ``expShifted(_:_:shift:into:)``
    /// of the difference `p − q` (rounded to Float first, so the bits equal those of a stored difference).
    /// `out` may be `p`.
    @inlinable
    static func expShifted(
        _ p: UnsafePointer<Float>, minus q: UnsafePointer<Float>, _ n: Int, shift: Float,
        into out: UnsafeMutablePointer<Float>
    ) -> Float {
        var acc = SIMD16<Float>()
        let s16 = SIMD16<Float>(repeating: shift)
        var i = 0
        while i &+ 16 <= n {
            let x =
                UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                - UnsafeRawPointer(q + i).loadUnaligned(as: SIMD16<Float>.self)
            let e = exp16(x - s16)
            UnsafeMutableRawPointer(out + i).storeBytes(of: e, as: SIMD16<Float>.self)
            acc += e
            i &+= 16
        }
        if i < n {
            var tail = SIMD16<Float>(repeating: -200)
            for j in i..<n { tail[j &- i] = (p[j] - q[j]) - shift }
            var e = exp16(tail)
            for j in (n &- i)..<16 { e[j] = 0 }
            for j in i..<n { out[j] = e[j &- i] }
            acc += e
        }
        return acc.sum()
    }

    /// `max (p[i] − q[i])` for `0 ≤ i < n` (n ≥ 1).
    @inlinable @inline(__always)
    static func maxDifference(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = p[0] - q[0]
        var i = 1
        if n >= 32 {
            var acc =
                UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
                - UnsafeRawPointer(q).loadUnaligned(as: SIMD16<Float>.self)
            i = 16
            while i &+ 16 <= n {
                let x =
                    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                    - UnsafeRawPointer(q + i).loadUnaligned(as: SIMD16<Float>.self)
                acc.replace(with: x, where: acc .< x)  // see max(_:_:)
                i &+= 16
            }
            m = acc.max()
        }
        while i < n { m = Swift.max(m, p[i] - q[i]); i &+= 1 }
        return m
    }

    /// `max p[i]` for `0 < i < n` (n ≥ 1).
    @inlinable @inline(__always)
    static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = p[0]
        var i = 1
        if n >= 32 {
            var acc = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
            i = 16
            while i &+ 16 <= n {
                // `replacing(with:where:)`, not `pointwiseMax`: the latter's NaN rules compile to a
                // per-lane scalar loop (measured: ~10× slower).
                let x = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                acc.replace(with: x, where: acc .< x)
                i &+= 16
            }
            m = acc.max()
        }
        while i < n { m = Swift.max(m, p[i]); i &+= 1 }
        return m
    }
}

extension Tensor {
    /// `self += other` element-wise (same shape), in place, not recorded.
    @inlinable
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape || count == other.count, "addInPlace: \(shape) vs \(other.shape)")
        let n = count
        let src = other.storage.pointer
        withUnsafeMutableBufferPointer { d in
            let dst = d.baseAddress!
            for i in 0..<n { dst[i] += src[i] }
        }
    }

    /// `self *= factor` in place, not recorded.
    @inlinable
    public mutating func scaleInPlace(by factor: Float) {
        withUnsafeMutableBufferPointer { d in
            let dst = d.baseAddress!
            for i in 0..<d.count { dst[i] *= factor }
        }
    }

    /// `Σ x²` over all scalars.
    public func squaredNorm() -> Float { Kernels.dot(storage.pointer, storage.pointer, count) }

    /// `Σ x` over all scalars as a Float (no autograd; see ``sum()`` for the differentiable one).
    public func sumOfScalars() -> Float { Kernels.sum(storage.pointer, count) }
}
