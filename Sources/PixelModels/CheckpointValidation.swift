import Foundation
import PixelConfig
import PixelData

/// A field of a file that breaks its format: `field` names it as the file spells it (a JSON key path such
/// as `hyperparameters.heads`, or a part of the layout such as `payload checksum`), `reason` says what is
/// wrong in one line.
struct FieldViolation: Error, Equatable {
    let field: String
    let reason: String

    init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// `text` for a one-line message: quoted, control characters escaped, at most `limit` characters.
func quotedForMessage(_ text: String, limit: Int = 48) -> String {
    var out = ""
    for (k, scalar) in text.unicodeScalars.enumerated() {
        if k == limit {
            out += "…"
            break
        }
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "'", "\\": out += "\\" + String(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
            {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return "'" + out + "'"
}

/// A shape for a message: `[a, b]`, at most 8 dimensions shown.
private func shapeText(_ shape: [Int]) -> String {
    let shown = shape.prefix(8).map(String.init).joined(separator: ", ")
    return "[" + shown + (shape.count > 8 ? ", … (\(shape.count) dimensions)" : "") + "]"
}

/// The element count of `shape`, or `nil` for a negative dimension or an overflowing product.
func elementCount(_ shape: [Int]) -> Int? {
    var n = 1
    for dimension in shape {
        guard dimension >= 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: dimension)
        guard !overflow else { return nil }
        n = product
    }
    return n
}

// MARK: - Hyper-parameters

extension ModelHyperparameters {
    /// Largest model width, projection width and fusion width a checkpoint may declare
    /// (`model.embedding_dim` and friends).
    static let maximumWidth = 65536
    /// Largest feature width (a feature store's dimension limit).
    static let maximumFeatureWidth = 1 << 20
    /// Largest number of fusion layers.
    static let maximumFusionLayers = 64
    /// Largest `model.max_seq_len` and `model.seq_blocks` (the configuration's limits).
    static let maximumSequenceLength = 4096
    static let maximumSequenceBlocks = 64

    /// Checks every field against the configuration schema's ranges and the layers' constraints
    /// (`heads` divides `embeddingDim`, …), so that the model these describe can be built and is of a
    /// size computable without overflow. (Names outside a setting's values fail in decoding already.)
    /// - Throws: ``FieldViolation`` naming the first bad field (`hyperparameters.<key>`).
    func validate() throws {
        func fail(_ key: String, _ reason: String) -> FieldViolation {
            FieldViolation("hyperparameters." + key, reason)
        }
        func range(_ key: String, _ value: Int, _ bounds: ClosedRange<Int>) throws {
            guard bounds.contains(value) else {
                throw fail(key, "\(value) is outside \(bounds.lowerBound)...\(bounds.upperBound)")
            }
        }
        func probability(_ key: String, _ value: Float) throws {
            guard value.isFinite, value >= 0, value < 1 else { throw fail(key, "\(value) is outside [0, 1)") }
        }
        try range("userCount", userCount, 1...Int(Int32.max))
        try range("itemCount", itemCount, 1...Int(Int32.max))
        try range("visionWidth", visionWidth, 1...Self.maximumFeatureWidth)
        try range("textWidth", textWidth, 1...Self.maximumFeatureWidth)
        try range("numericWidth", numericWidth, 0...Self.maximumFeatureWidth)
        try range("embeddingDim", embeddingDim, 1...Self.maximumWidth)
        try range("heads", heads, 1...embeddingDim)
        guard embeddingDim % heads == 0 else {
            throw fail("heads", "\(heads) does not divide embeddingDim \(embeddingDim)")
        }
        try probability("attentionDropout", attentionDropout)
        try probability("dropout", dropout)
        try probability("itemIdDropout", itemIdDropout)
        guard fusionHiddenDims.count <= Self.maximumFusionLayers else {
            throw fail("fusionHiddenDims", "\(fusionHiddenDims.count) layers, at most \(Self.maximumFusionLayers)")
        }
        for (k, width) in fusionHiddenDims.enumerated() {
            try range("fusionHiddenDims[\(k)]", width, 1...Self.maximumWidth)
        }
        if let projectionHiddenDim { try range("projectionHiddenDim", projectionHiddenDim, 1...Self.maximumWidth) }
        guard crossModalAttentionWeight.isFinite, (0...1).contains(crossModalAttentionWeight) else {
            throw fail("crossModalAttentionWeight", "\(crossModalAttentionWeight) is outside [0, 1]")
        }
        guard contrastiveTemperature.isFinite, contrastiveTemperature > 0 else {
            throw fail("contrastiveTemperature", "\(contrastiveTemperature) is not a positive number")
        }
        if let textTop {
            if let violation = textTop.violation { throw fail("textTop", violation) }
            guard textTop.blocks[0].width == textWidth else {
                throw fail("textTop", "width \(textTop.blocks[0].width) differs from textWidth \(textWidth)")
            }
        }
        if let sequence {
            guard sequence.userEncoder != .id else {
                throw fail("sequence.userEncoder", "'id' takes no sequence settings (sequence or hybrid)")
            }
            try range("sequence.maxLength", sequence.maxLength, 1...Self.maximumSequenceLength)
            try range("sequence.blocks", sequence.blocks, 1...Self.maximumSequenceBlocks)
            try range("sequence.heads", sequence.heads, 1...embeddingDim)
            guard embeddingDim % sequence.heads == 0 else {
                throw fail("sequence.heads", "\(sequence.heads) does not divide embeddingDim \(embeddingDim)")
            }
            try probability("sequence.dropout", sequence.dropout)
        }
    }

    /// Names and shapes of the parameters (trainable) and buffers of the model these hyper-parameters
    /// build — what ``PretrainedMultimodalRecommender/namedParameters()`` and `namedBuffers()` return —
    /// computed without building it (a test checks the two agree).
    func expectedState() -> (parameters: [(String, [Int])], buffers: [(String, [Int])]) {
        let d = embeddingDim
        var parameters: [(String, [Int])] = [], buffers: [(String, [Int])] = []
        func linear(_ prefix: String, _ input: Int, _ output: Int) {
            parameters += [(prefix + ".weight", [output, input]), (prefix + ".bias", [output])]
        }
        func projection(_ prefix: String, _ input: Int, hidden: Int?) {
            if let hidden {
                linear(prefix + ".0", input, hidden)
                linear(prefix + ".1", hidden, d)
            } else {
                linear(prefix + ".0", input, d)
            }
        }
        func attention(_ prefix: String) {
            for part in ["q_proj", "k_proj", "v_proj", "out_proj"] { linear(prefix + "." + part, d, d) }
        }
        func norm(_ prefix: String, _ width: Int) {
            parameters += [(prefix + ".weight", [width]), (prefix + ".bias", [width])]
        }
        func mlp(_ prefix: String, hidden: [Int], output: Int, batchNorm: Bool) {
            var width = d
            for (i, size) in hidden.enumerated() {
                linear("\(prefix).layers.\(i).linear", width, size)
                if batchNorm {
                    norm("\(prefix).layers.\(i).norm", size)
                    buffers += [
                        ("\(prefix).layers.\(i).norm.running_mean", [size]),
                        ("\(prefix).layers.\(i).norm.running_var", [size]),
                    ]
                }
                width = size
            }
            linear(prefix + ".head", width, output)
        }
        parameters += [("user_embedding.weight", [userCount, d]), ("item_embedding.weight", [itemCount, d])]
        projection("vision_projection", visionWidth, hidden: projectionHiddenDim)
        projection("text_projection", textWidth, hidden: projectionHiddenDim)
        if numericWidth > 0 { projection("numeric_projection", numericWidth, hidden: nil) }
        attention("attention")
        norm("attention_norm", d)
        mlp("fusion", hidden: fusionHiddenDims, output: d, batchNorm: batchNorm)
        if isPairwise {
            attention("pairwise.attention")
            norm("pairwise.norm", d)
            mlp("pairwise.head", hidden: [d], output: 1, batchNorm: false)
        }
        if let sequence {
            parameters.append(("sequence.positions", [sequence.maxLength, d]))
            for k in 0..<sequence.blocks {
                let block = "sequence.blocks.\(k)"
                norm(block + ".attention_norm", d)
                attention(block + ".attention")
                norm(block + ".ffn_norm", d)
                linear(block + ".ffn.0", d, d)
                linear(block + ".ffn.1", d, d)
            }
            norm("sequence.final_norm", d)
        }
        if let textTop { parameters += textTop.parameterShapes.map { ("text_top." + $0.0, $0.1) } }
        if isEnhanced {
            attention("cross_modal.vision_to_text")
            attention("cross_modal.text_to_vision")
        }
        return (parameters, buffers)
    }
}

// MARK: - Header

extension CheckpointHeader {
    /// Largest step count a record may carry, and so (with the epoch count) the global step.
    static let maximumSteps = 1 << 40

    /// Checks every field of the header against the format's invariants and against the others, before
    /// any of them sizes an allocation or indexes the payload: hyper-parameters within the schema's
    /// ranges; epochs, steps and history consistent; id maps of `userCount`/`itemCount` distinct keys;
    /// finite scalers; tensors and optimizer vectors exactly the model's, back to back (by name) filling
    /// the `payloadFloats` Float32 values after the header, all with overflow-checked arithmetic.
    /// - Throws: ``FieldViolation`` naming the first bad field.
    func validate(payloadFloats: Int) throws {
        let h = hyperparameters
        try h.validate()
        try validateProgress()
        func keys(_ field: String, _ keys: [String], count: Int, _ countField: String) throws {
            guard keys.count == count else {
                throw FieldViolation(field, "\(keys.count) keys, hyperparameters.\(countField) is \(count)")
            }
            var seen = Set<String>()
            seen.reserveCapacity(keys.count)
            for (k, key) in keys.enumerated() where !seen.insert(key).inserted {
                throw FieldViolation("\(field)[\(k)]", "duplicate key \(quotedForMessage(key))")
            }
        }
        try keys("userKeys", userKeys, count: h.userCount, "userCount")
        try keys("itemKeys", itemKeys, count: h.itemCount, "itemCount")
        try validateScalers()
        guard runStarted.isFinite, runStarted >= 0, runStarted < 1e11 else {
            throw FieldViolation("runStarted", "\(runStarted) is not a time in seconds since 1970")
        }
        try validateLayout(payloadFloats: payloadFloats)
    }

    /// Epochs, steps, history, best epoch, learning rate.
    private func validateProgress() throws {
        guard epoch >= 0 else { throw FieldViolation("epoch", "\(epoch) is negative") }
        guard globalStep >= 0 else { throw FieldViolation("globalStep", "\(globalStep) is negative") }
        guard history.count == epoch else {
            throw FieldViolation("history", "\(history.count) records for epoch \(epoch) (one per epoch completed)")
        }
        var steps = 0
        for (k, record) in history.enumerated() {
            let field = "history[\(k)]"
            guard record.epoch == k + 1 else {
                throw FieldViolation(field + ".epoch", "\(record.epoch), expected \(k + 1)")
            }
            guard (0...Self.maximumSteps).contains(record.steps) else {
                throw FieldViolation(field + ".steps", "\(record.steps) is outside 0...\(Self.maximumSteps)")
            }
            steps += record.steps  // at most 2^40 per record and `epoch` records: no overflow below 2^23 epochs
            let numbers: [(String, Double)] =
                [
                    ("trainLoss", record.trainLoss), ("recommendationLoss", record.recommendationLoss),
                    ("contrastiveLoss", record.contrastiveLoss), ("pairwiseLoss", record.pairwiseLoss),
                    ("learningRate", record.learningRate), ("seconds", record.seconds),
                    ("stepsPerSecond", record.stepsPerSecond),
                ]
                + record.validation.sorted { $0.key < $1.key }.map {
                    ("validation[\(quotedForMessage($0.key))]", $0.value)
                }
            for (name, value) in numbers where !value.isFinite {
                throw FieldViolation("\(field).\(name)", "\(value) is not a finite number")
            }
            guard steps <= Self.maximumSteps else {
                throw FieldViolation("history", "more than \(Self.maximumSteps) steps in all")
            }
        }
        guard globalStep == steps else {
            throw FieldViolation("globalStep", "\(globalStep), the history's steps add up to \(steps)")
        }
        guard (0...epoch).contains(bestEpoch) else {
            throw FieldViolation("bestEpoch", "\(bestEpoch) is outside 0...\(epoch) (epoch)")
        }
        if let bestMetric, !bestMetric.isFinite {
            throw FieldViolation("bestMetric", "\(bestMetric) is not a finite number")
        }
        guard learningRate.isFinite, learningRate >= 0 else {
            throw FieldViolation("learningRate", "\(learningRate) is not a non-negative number")
        }
    }

    private func validateScalers() throws {
        guard scalers.format == "pixelrec-scalers", scalers.version == ScalerSet.formatVersion else {
            throw FieldViolation(
                "scalers",
                "format \(quotedForMessage(scalers.format)) version \(scalers.version) is not pixelrec-scalers 1")
        }
        var columns = Set<String>()
        for (k, scaler) in scalers.scalers.enumerated() {
            let field = "scalers.scalers[\(k)]"
            guard !scaler.column.isEmpty, columns.insert(scaler.column).inserted else {
                throw FieldViolation(field + ".column", "\(quotedForMessage(scaler.column)) is empty or repeated")
            }
            for (name, value) in [("mean", scaler.mean), ("std", scaler.std), ("min", scaler.min), ("max", scaler.max)]
            where !value.isFinite {
                throw FieldViolation("\(field).\(name)", "\(value) is not a finite number")
            }
            guard scaler.std > 0 else { throw FieldViolation(field + ".std", "\(scaler.std) is not positive") }
            guard scaler.min <= scaler.max else {
                throw FieldViolation(field + ".min", "\(scaler.min) is above max \(scaler.max)")
            }
            guard scaler.count >= 0, scaler.missing >= 0 else {
                throw FieldViolation(field + ".count", "negative count \(scaler.count) or missing \(scaler.missing)")
            }
        }
    }

    /// The optimizer vectors a checkpoint of `optimizer` holds for parameters `parameters`: key → length.
    static func expectedOptimizerState(optimizer: OptimizerType, parameters: [(String, [Int])]) -> [String: Int] {
        var out = ["learning_rate": 1]
        for (name, shape) in parameters {
            let n = elementCount(shape) ?? 0
            if optimizer == .sgd {
                out[name + ".momentum_buffer"] = n
            } else {
                out[name + ".exp_avg"] = n
                out[name + ".exp_avg_sq"] = n
                out[name + ".step"] = 1
            }
        }
        return out
    }

    /// Tensors then optimizer vectors, each list sorted by name, back to back from offset 0 to the end of
    /// the payload; each tensor of the model's shape, each optimizer vector of its parameter's length.
    private func validateLayout(payloadFloats: Int) throws {
        let (parameters, buffers) = hyperparameters.expectedState()
        let model = Dictionary(parameters + buffers, uniquingKeysWith: { a, _ in a })
        var cursor = 0
        func check(_ list: String, _ k: Int, _ e: Entry, previous: Entry?, expectedShape: [Int]?) throws {
            let field = "\(list)[\(k)]"
            guard let expectedShape else {
                throw FieldViolation(field + ".name", "\(quotedForMessage(e.name)) is not part of this model")
            }
            if let previous, !(previous.name < e.name) {
                throw FieldViolation(field + ".name", "\(quotedForMessage(e.name)) is repeated or out of order")
            }
            guard let n = elementCount(e.shape) else {
                throw FieldViolation(
                    field + ".shape", "\(shapeText(e.shape)) has a negative dimension or too many elements")
            }
            guard e.shape == expectedShape else {
                throw FieldViolation(
                    field + ".shape", "\(shapeText(e.shape)), the model's \(e.name) is \(shapeText(expectedShape))")
            }
            let (end, overflow) = e.offset.addingReportingOverflow(n)
            guard e.offset >= 0, !overflow, end <= payloadFloats else {
                throw FieldViolation(
                    field + ".offset", "\(e.offset) + \(n) floats is outside the payload of \(payloadFloats) floats")
            }
            guard e.offset == cursor else {
                throw FieldViolation(
                    field + ".offset", "\(e.offset), expected \(cursor) (entries are stored back to back)")
            }
            cursor = end
        }
        for (k, e) in tensors.enumerated() {
            try check("tensors", k, e, previous: k > 0 ? tensors[k - 1] : nil, expectedShape: model[e.name])
        }
        if tensors.count != model.count {
            let present = Set(tensors.map(\.name))
            let missing = model.keys.sorted().first { !present.contains($0) } ?? ""
            throw FieldViolation("tensors", "\(quotedForMessage(missing)) is missing")
        }
        let state = Self.expectedOptimizerState(optimizer: optimizer, parameters: parameters)
        for (k, e) in optimizerState.enumerated() {
            try check(
                "optimizerState", k, e, previous: k > 0 ? optimizerState[k - 1] : nil,
                expectedShape: state[e.name].map { [$0] })
        }
        // Adam's three vectors of a parameter come together (a parameter never stepped has none).
        let present = Set(optimizerState.map(\.name))
        guard present.contains("learning_rate") else {
            throw FieldViolation("optimizerState", "'learning_rate' is missing")
        }
        if optimizer != .sgd {
            for (name, _) in parameters {
                let parts = [".exp_avg", ".exp_avg_sq", ".step"].map { name + $0 }
                let count = parts.filter(present.contains).count
                if count != 0 && count != 3, let missing = parts.first(where: { !present.contains($0) }) {
                    throw FieldViolation("optimizerState", "\(quotedForMessage(missing)) is missing")
                }
            }
        }
        guard cursor == payloadFloats else {
            throw FieldViolation("tensors", "lay out \(cursor) floats, the payload has \(payloadFloats)")
        }
    }

    /// Checks the optimizer values that become counters and rates: each Adam `step` a whole number in
    /// 1...globalStep, the learning rate finite and non-negative.
    func validateOptimizerValues(_ state: [String: [Float]]) throws {
        for key in state.keys.sorted() {
            guard let value = state[key]?.first else { continue }
            if key == "learning_rate" {
                guard value.isFinite, value >= 0 else {
                    throw FieldViolation("optimizerState[learning_rate]", "\(value) is not a non-negative number")
                }
            } else if key.hasSuffix(".step") {
                guard value.isFinite, value >= 1, value == value.rounded(), value <= Float(globalStep), value < 0x1p62
                else {
                    throw FieldViolation(
                        "optimizerState[\(key)]", "\(value) is not a step count in 1...\(globalStep) (globalStep)")
                }
            }
        }
    }
}

// MARK: - JSON errors

extension FieldViolation {
    /// The field and reason of a JSON decoding error of the checkpoint header, in one line.
    init(decoding error: Error) {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += (out.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return out.isEmpty ? "header" : out
        }
        func firstLine(_ text: String) -> String {
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
            return line.count > 160 ? String(line.prefix(160)) + "…" : line
        }
        guard let error = error as? DecodingError else {
            self.init("header", "not readable JSON (\(firstLine(String(describing: error))))")
            return
        }
        switch error {
        case let .typeMismatch(type, context):
            self.init(path(context.codingPath), "wrong type, expected \(type)")
        case let .valueNotFound(type, context):
            self.init(path(context.codingPath), "missing value, expected \(type)")
        case let .keyNotFound(key, context):
            self.init(path(context.codingPath + [key]), "missing")
        case let .dataCorrupted(context):
            var reason = context.debugDescription
            if let underlying = context.underlyingError { reason += " (\(underlying))" }
            reason = firstLine(reason)
            self.init(path(context.codingPath), reason.isEmpty ? "not readable JSON" : reason)
        @unknown default:
            self.init("header", "not readable JSON")
        }
    }
}
