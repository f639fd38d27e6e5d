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
}
