/// Two scorers blended per user: `s(u, i) = z_a(u, i) + w · z_b(u, i)`, where `z_x(u, ·)` is scorer
/// `x`'s row for user `u` standardized over the items it scores finitely
/// (`z = (x − mean) / sd`; a row with `sd = 0` standardizes to 0). Standardizing makes the weight
/// independent of either scorer's scale (a dot product of learned vectors, a sum of `k` cosines).
/// Items `a` scores non-finitely (excluded, `NaN`) keep `a`'s score.
///
/// With `a` the multimodal model and `b` content kNN this is `model.content_knn_weight`: the model's
/// collaborative and popularity signal plus the pretrained content geometry of kNN, which the learned
/// item tower does not keep on cold items.
public struct BlendedScorer: Scorer {
    public let primary: any Scorer
    public let secondary: any Scorer
    public let weight: Float
    public var itemCount: Int { primary.itemCount }
    public var description: String { "\(primary.description) + \(weight) × \(secondary.description) (z-scored)" }

    /// - Throws: `EvalError.shapeMismatch` when the scorers rank different catalogs,
    ///   `EvalError.invalidOption` for a negative or non-finite weight.
    public init(primary: any Scorer, secondary: any Scorer, weight: Float) throws {
        guard primary.itemCount == secondary.itemCount else {
            throw EvalError.shapeMismatch(
                what: "items of the blended scorers", expected: primary.itemCount, found: secondary.itemCount)
        }
        guard weight.isFinite, weight >= 0 else {
            throw EvalError.invalidOption(name: "content_knn_weight", reason: "must be finite and >= 0, got \(weight)")
        }
        self.primary = primary
        self.secondary = secondary
        self.weight = weight
    }

    public func score(users: UnsafeBufferPointer<Int32>, into scores: UnsafeMutableBufferPointer<Float>) {
        let n = itemCount
        primary.score(users: users, into: scores)
        guard weight > 0, n > 0 else { return }
        var other = [Float](repeating: 0, count: users.count * n)
        other.withUnsafeMutableBufferPointer { secondary.score(users: users, into: $0) }
        other.withUnsafeBufferPointer { b in
            for r in 0..<users.count {
                let row = scores.baseAddress! + r * n, second = b.baseAddress! + r * n
                let (ma, sa) = Self.moments(row, count: n)
                let (mb, sb) = Self.moments(second, count: n)
                let ia: Float = sa > 0 ? 1 / sa : 0
                let ib: Float = sb > 0 ? weight / sb : 0
                for i in 0..<n where row[i].isFinite {
                    let extra = second[i].isFinite ? (second[i] - mb) * ib : 0
                    row[i] = (row[i] - ma) * ia + extra
                }
            }
        }
    }

    /// Mean and (population) standard deviation of the finite values of `x[0..<count]`, in Double.
    static func moments(_ x: UnsafePointer<Float>, count: Int) -> (mean: Float, sd: Float) {
        var n = 0.0, sum = 0.0, squares = 0.0
        for i in 0..<count where x[i].isFinite {
            let v = Double(x[i])
            n += 1
            sum += v
            squares += v * v
        }
        guard n > 0 else { return (0, 0) }
        let mean = sum / n
        let variance = max(0, squares / n - mean * mean)
        return (Float(mean), Float(variance.squareRoot()))
    }
}
