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
            let v = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self) + UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { y[i] += b[i]; i &+= 1 }
    }
}
