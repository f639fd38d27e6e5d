/// Errors of PixelTensor, for values that come from users (files, ids) rather than from code.
///
/// Ops treat shape mismatches as programming errors (preconditions); data crossing into tensors
/// from outside is validated with the throwing entry points below first.
public enum TensorError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `count` scalars cannot fill `shape`.
    case scalarCountMismatch(shape: [Int], count: Int)
    /// An index at `position` (row-major) is outside `0..<bound`.
    case indexOutOfRange(index: Int, bound: Int, position: Int)

    public var description: String {
        switch self {
        case let .scalarCountMismatch(shape, count): return "\(count) values cannot fill a tensor of shape \(shape)"
        case let .indexOutOfRange(index, bound, position):
            return "index \(index) at position \(position) is outside 0..<\(bound)"
        }
    }
}

extension Tensor {
    /// A tensor of `shape` from untrusted `scalars`.
    /// - Throws: ``TensorError/scalarCountMismatch(shape:count:)``.
    public init(validatingShape shape: [Int], scalars: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == scalars.count else {
            throw TensorError.scalarCountMismatch(shape: shape, count: scalars.count)
        }
        self.init(shape: shape, scalars: scalars)
    }
}

extension IndexTensor {
    /// Checks every index is in `0..<bound` (an embedding table's row count, a class count).
    /// - Throws: ``TensorError/indexOutOfRange(index:bound:position:)`` for the first bad index.
    public func validate(below bound: Int) throws {
        for (position, index) in indices.enumerated() where index < 0 || Int(index) >= bound {
            throw TensorError.indexOutOfRange(index: Int(index), bound: bound, position: position)
        }
    }
}
