/// How a model's output becomes one vector per input.
public enum Pooling: Sendable, Equatable {
    /// A `[n, d]` output used as is (CLIP `image_embeds`/`text_embeds`, `sentence_embedding`, `pooled`).
    case output
    /// The first token of `[n, s, d]` (BERT/RoBERTa `[CLS]`/`<s>`, ViT/DINO class token).
    case cls
    /// `Σ_j mask[i,j]·h[i,j,:] / max(Σ_j mask[i,j], 1e-9)` over `[n, s, d]` (Sentence-BERT, MPNet).
    case maskedMean
    /// Mean over the spatial axes of `[n, c, h, w]` (CNN feature maps → `[n, c]`).
    case globalAverage

    /// Pools `values` of `shape` into `[n, d]` row-major.
    /// - Parameter mask: `[n, s]` attention mask for `.maskedMean` (all ones when `nil`).
    /// - Throws: `EncoderError.invalidArgument` when the shape does not fit the pooling.
    public func apply(_ values: [Float], shape: [Int], mask: [Int64]? = nil) throws -> (rows: [Float], dimension: Int) {
        switch self {
        case .output:
            guard shape.count >= 2, shape.dropFirst().reduce(1, *) > 0 else {
                throw EncoderError.invalidArgument("pooling: output of shape \(shape) is not [n, d]")
            }
            if shape.count == 2 { return (values, shape[1]) }
            // [n, d, 1, 1] pooled CNN outputs.
            let d = shape.dropFirst().reduce(1, *)
            return (values, d)
        case .cls:
            guard shape.count == 3 else {
                throw EncoderError.invalidArgument("pooling: CLS needs [n, s, d], got \(shape)")
            }
            let (n, s, d) = (shape[0], shape[1], shape[2])
            var out = [Float](repeating: 0, count: n * d)
            for i in 0..<n {
                for k in 0..<d { out[i * d + k] = values[i * s * d + k] }
            }
            return (out, d)
        case .maskedMean:
            guard shape.count == 3 else {
                throw EncoderError.invalidArgument("pooling: masked mean needs [n, s, d], got \(shape)")
            }
            let (n, s, d) = (shape[0], shape[1], shape[2])
            if let mask, mask.count != n * s {
                throw EncoderError.invalidArgument("pooling: mask has \(mask.count) entries for [\(n), \(s)]")
            }
            var out = [Float](repeating: 0, count: n * d)
            values.withUnsafeBufferPointer { h in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n {
                        var weight: Float = 0
                        for j in 0..<s {
                            let m: Float = mask.map { Float($0[i * s + j]) } ?? 1
                            if m == 0 { continue }
                            weight += m
                            let base = (i * s + j) * d
                            for k in 0..<d { o[i * d + k] += m * h[base + k] }
                        }
                        let scale = 1 / max(weight, 1e-9)
                        for k in 0..<d { o[i * d + k] *= scale }
                    }
                }
            }
            return (out, d)
        case .globalAverage:
            guard shape.count == 4 else {
                throw EncoderError.invalidArgument("pooling: global average needs [n, c, h, w], got \(shape)")
            }
            let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
            var out = [Float](repeating: 0, count: n * c)
            for i in 0..<(n * c) {
                var sum: Float = 0
                for p in 0..<plane { sum += values[i * plane + p] }
                out[i] = sum / Float(max(plane, 1))
            }
            return (out, c)
        }
    }

    /// Scales each row of `[n, d]` to unit L2 norm (`x / max(‖x‖₂, 1e-12)`, as `F.normalize`).
    public static func l2Normalize(_ rows: inout [Float], dimension d: Int) {
        guard d > 0 else { return }
        rows.withUnsafeMutableBufferPointer { buffer in
            for start in stride(from: 0, to: buffer.count - d + 1, by: d) {
                var sum: Double = 0
                for k in 0..<d { sum += Double(buffer[start + k]) * Double(buffer[start + k]) }
                let scale = Float(1 / max(sum.squareRoot(), 1e-12))
                for k in 0..<d { buffer[start + k] *= scale }
            }
        }
    }
}
