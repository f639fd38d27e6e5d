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
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            i &+= 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i &+= 1 }
        return s
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
                acc = pointwiseMax(acc, UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self))
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
