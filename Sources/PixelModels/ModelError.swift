/// Errors of model construction, checkpoints and training; each names what and where.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A setting that the model cannot use (`model.num_attention_heads` not dividing `embedding_dim`, …).
    case invalidSetting(key: String, reason: String)
    /// A checkpoint file that cannot be read or is not a pixelrec checkpoint.
    case invalidCheckpoint(path: String, reason: String)
    /// A checkpoint file whose `field` (a header key path such as `hyperparameters.heads`, or a part of
    /// the layout such as `payload checksum`) breaks the format: printed `<path>: <field>: <reason>`.
    case corruptCheckpoint(path: String, field: String, reason: String)
    /// Inputs whose shapes do not agree (content matrices, id maps).
    case shapeMismatch(what: String, expected: Int, found: Int)
    /// Training produced a non-finite loss.
    case nonFiniteLoss(epoch: Int, step: Int)
    /// No data to train or validate on.
    case noData(String)

    public var description: String {
        switch self {
        case let .invalidSetting(key, reason): return "\(key): \(reason)"
        case let .invalidCheckpoint(path, reason): return "\(path): not a usable checkpoint (\(reason))"
        case let .corruptCheckpoint(path, field, reason): return "\(path): \(field): \(reason)"
        case let .shapeMismatch(what, expected, found): return "\(what): expected \(expected), found \(found)"
        case let .nonFiniteLoss(epoch, step):
            return "training diverged: non-finite loss at epoch \(epoch), step \(step) (lower training.learning_rate)"
        case let .noData(what): return "nothing to train on: \(what)"
        }
    }
}
