#if canImport(Glibc)
    import Glibc
#endif

/// The reference-counted, 64-byte-aligned Float32 buffer behind a ``Tensor``.
///
/// `Tensor` gives it value semantics by copying on write: a mutation first checks
/// `isKnownUniquelyReferenced` and clones the buffer when it is shared.
public final class TensorStorage: @unchecked Sendable {
    /// Number of scalars.
    public let count: Int
    /// The first scalar; valid for `count` elements (one slot is allocated even when `count == 0`).
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` uninitialized scalars.
    @inlinable
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) &* 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    /// Allocates `count` scalars set to `value`.
    @inlinable
    public convenience init(count: Int, repeating value: Float) {
        self.init(count: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A fresh buffer holding the same scalars.
    @inlinable
    public func clone() -> TensorStorage {
        let copy = TensorStorage(count: count)
        copy.pointer.update(from: pointer, count: count)
        return copy
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Keeps freed buffers up to 32 MiB in the process heap instead of returning them to the kernel.
    ///
    /// glibc serves large blocks with `mmap` and unmaps them on free, so every training step would
    /// fault in (and zero) its temporaries afresh — measured here at ~2,500 page faults per step of the
    /// fusion network. Raising the mmap and trim thresholds lets the heap reuse them. Call once at start
    /// of a training process; a no-op off glibc.
    public static func retainFreedMemory() {
        #if canImport(Glibc)
            // <malloc.h> is not part of the Glibc module: look `mallopt` up by symbol.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            _ = mallopt(mmapThreshold, 32 << 20)
            _ = mallopt(trimThreshold, 256 << 20)
        #endif
    }
}
