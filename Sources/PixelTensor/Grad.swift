/// A gradient: dense, or a set of rows of a table (embedding gradients).
public enum Grad: Sendable {
    case dense(Tensor)
    case rows(SparseRows)

    /// The dense form (sparse rows are scattered into zeros).
    public var dense: Tensor {
        switch self {
        case .dense(let t): return t
        case .rows(let r): return r.densified()
        }
    }

    /// `self += other`: what ``adding(_:)`` computes, but a dense `self` gives up its own reference
    /// first, so its storage is updated in place unless something else shares it (`adding` keeps `self`
    /// alive while it adds, which forced a copy of every accumulated dense gradient).
    @inlinable
    public mutating func add(_ other: Grad) {
        guard case .dense(var a) = self else {
            self = adding(other)
            return
        }
        self = .dense(Tensor(0))
        switch other {
        case .dense(let b): a.addInPlace(b)
        case .rows(let b): b.scatterAdd(into: &a)
        }
        self = .dense(a)
    }

    /// `self + other`, reusing `self`'s storage when possible. Rows + rows stay sparse.
    @inlinable
    public func adding(_ other: Grad) -> Grad {
        switch (self, other) {
        case (.rows(let a), .rows(let b)): return .rows(a.appending(b))
        case (.dense(var a), .dense(let b)):
            a.addInPlace(b)
            return .dense(a)
        case (.dense(var a), .rows(let b)), (.rows(let b), .dense(var a)):
            b.scatterAdd(into: &a)
            return .dense(a)
        }
    }
}
