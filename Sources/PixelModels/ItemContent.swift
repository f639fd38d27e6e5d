import PixelEncoders
import PixelTensor

/// Frozen content features of a catalog of items, row-aligned to an item index space:
/// vision `[n, visionWidth]`, text `[n, textWidth]`, numeric `[n, numericWidth]` (scaled), and which
/// rows have a real image / text (a missing input is a zero row).
///
/// Encoders are frozen (`freeze_vision` / `freeze_language`), so their outputs are computed once
/// (`pixelrec encode`) and gathered per batch: no encoder runs in the training loop.
public struct ItemContent: Sendable {
    public let count: Int
    public let vision: [Float]
    public let visionWidth: Int
    public let text: [Float]
    public let textWidth: Int
    public let numeric: [Float]
    public let numericWidth: Int
    /// Per item: both an image and a text exist (rows used by the contrastive loss).
    public let hasBothModalities: [Bool]
    /// Each item's cached hidden states below the text encoder's trainable top (rows in this content's
    /// order), for a model with a text top (``ModelHyperparameters/textTop``): its text input is then the
    /// top run on these instead of ``text``. `nil` for frozen text features.
    public var textStates: CachedTextStates? = nil

    /// - Throws: ``ModelError/shapeMismatch(what:expected:found:)`` when a matrix is not `count` rows.
    public init(
        count: Int, vision: [Float], visionWidth: Int, text: [Float], textWidth: Int, numeric: [Float],
        numericWidth: Int, hasBothModalities: [Bool]? = nil
    ) throws {
        guard visionWidth > 0, vision.count == count * visionWidth else {
            throw ModelError.shapeMismatch(
                what: "vision features", expected: count * max(visionWidth, 1), found: vision.count)
        }
        guard textWidth > 0, text.count == count * textWidth else {
            throw ModelError.shapeMismatch(
                what: "text features", expected: count * max(textWidth, 1), found: text.count)
        }
        guard numeric.count == count * numericWidth else {
            throw ModelError.shapeMismatch(
                what: "numeric features", expected: count * numericWidth, found: numeric.count)
        }
        let both = hasBothModalities ?? [Bool](repeating: true, count: count)
        guard both.count == count else {
            throw ModelError.shapeMismatch(what: "modality flags", expected: count, found: both.count)
        }
        self.count = count
        self.vision = vision
        self.visionWidth = visionWidth
        self.text = text
        self.textWidth = textWidth
        self.numeric = numeric
        self.numericWidth = numericWidth
        self.hasBothModalities = both
    }

    /// Rows `rows` of a `[count, width]` matrix as a constant `[rows.count, width]` tensor.
    @inlinable
    static func gather(_ matrix: [Float], width: Int, rows: [Int32]) -> Tensor {
        var out = Tensor(uninitializedShape: [rows.count, width])
        out.withUnsafeMutableBufferPointer { o in
            matrix.withUnsafeBufferPointer { m in
                // Random rows of a large matrix: the copy of one overlaps the misses of a later one.
                let ahead = Prefetch.rowDistance
                for r in 0..<min(ahead, rows.count) {
                    Prefetch.read(m.baseAddress! + Int(rows[r]) * width, count: width)
                }
                for (r, row) in rows.enumerated() {
                    if r + ahead < rows.count {
                        Prefetch.read(m.baseAddress! + Int(rows[r + ahead]) * width, count: width)
                    }
                    let src = m.baseAddress! + Int(row) * width
                    (o.baseAddress! + r * width).update(from: src, count: width)
                }
            }
        }
        return out
    }

    func visionRows(_ rows: [Int32]) -> Tensor { Self.gather(vision, width: visionWidth, rows: rows) }
    func textRows(_ rows: [Int32]) -> Tensor { Self.gather(text, width: textWidth, rows: rows) }
    func numericRows(_ rows: [Int32]) -> Tensor { Self.gather(numeric, width: numericWidth, rows: rows) }
}
