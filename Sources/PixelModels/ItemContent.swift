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
    /// Text features of edited copies of each item's text (`data.text_augmentation`), `[count, V, textWidth]`:
    /// view `v` of item `i` at row `i·V + v`; empty when there are none (`V = 0`).
    public private(set) var textViews: [Float] = []
    /// `V`: views per item (0 = none).
    public private(set) var textViewCount = 0
    /// Per item: its views exist (items without text have none, and train on their clean row).
    public private(set) var hasTextViews: [Bool] = []
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

    /// This content with `views` text views per item (`[count, views, textWidth]`, see ``textViews``).
    /// - Throws: ``ModelError/shapeMismatch(what:expected:found:)`` for other sizes.
    public func withTextViews(_ rows: [Float], views: Int, present: [Bool]) throws -> ItemContent {
        let (cells, overflow) = count.multipliedReportingOverflow(by: max(views, 0))
        let (values, overflow2) = cells.multipliedReportingOverflow(by: textWidth)
        guard views > 0, !overflow, !overflow2, rows.count == values else {
            throw ModelError.shapeMismatch(
                what: "text views", expected: overflow || overflow2 ? -1 : values, found: rows.count)
        }
        guard present.count == count else {
            throw ModelError.shapeMismatch(what: "text view flags", expected: count, found: present.count)
        }
        var out = self
        out.textViews = rows
        out.textViewCount = views
        out.hasTextViews = present
        return out
    }

    /// Training text input of `rows`: per row, view `draw(V)` of the item when it has views, else its
    /// clean text row. `draw(n)` returns a value in `0..<n`.
    func textViewRows(_ rows: [Int32], draw: (Int) -> Int) -> Tensor {
        let v = textViewCount, w = textWidth
        let indices = rows.map { row -> Int32 in
            hasTextViews[Int(row)] ? Int32(Int(row) * v + draw(v)) : -1 - row
        }
        var out = Tensor(uninitializedShape: [rows.count, w])
        out.withUnsafeMutableBufferPointer { o in
            textViews.withUnsafeBufferPointer { views in
                text.withUnsafeBufferPointer { clean in
                    for (r, index) in indices.enumerated() {
                        let source =
                            index >= 0 ? views.baseAddress! + Int(index) * w : clean.baseAddress! + Int(-1 - index) * w
                        (o.baseAddress! + r * w).update(from: source, count: w)
                    }
                }
            }
        }
        return out
    }

    func visionRows(_ rows: [Int32]) -> Tensor { Self.gather(vision, width: visionWidth, rows: rows) }
    func textRows(_ rows: [Int32]) -> Tensor { Self.gather(text, width: textWidth, rows: rows) }
    func numericRows(_ rows: [Int32]) -> Tensor { Self.gather(numeric, width: numericWidth, rows: rows) }
}
