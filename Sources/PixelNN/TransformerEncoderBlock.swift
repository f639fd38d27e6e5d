import PixelTensor

/// One transformer encoder block, bidirectional self-attention with a key padding mask, in either
/// LayerNorm placement:
///
/// - `.post` (BERT, MiniLM, MPNet, RoBERTa): `a = LN₁(x + MHA(x))`, `y = LN₂(a + W₂·act(W₁·a + b₁) + b₂)`.
/// - `.pre` (CLIP text, ViT, DINOv2): `a = x + MHA(LN₁(x))`, `y = a + W₂·act(W₁·LN₂(a) + b₁) + b₂`.
///
/// Shapes: `x` and `y` `[B, T, E]`; `W₁` `[F, E]`, `W₂` `[E, F]` (PyTorch layout, see ``Linear``).
/// Parameter names follow Hugging Face's BERT layer: `attention.{q,k,v,out}_proj.*`, `attention_norm.*`,
/// `intermediate.*`, `output.*`, `output_norm.*`.
public final class TransformerEncoderBlock: Layer {
    /// Where the LayerNorms sit relative to the residual additions.
    public enum Normalization: String, Sendable {
        case post, pre
    }

    public let attention: MultiHeadAttention
    public let attentionNorm: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    public let outputNorm: LayerNorm
    public let activation: Activation
    public let normalization: Normalization

    public init(
        attention: MultiHeadAttention, attentionNorm: LayerNorm, intermediate: Linear, output: Linear,
        outputNorm: LayerNorm, activation: Activation = .gelu, normalization: Normalization
    ) {
        let e = attention.outputProjection.outputSize
        precondition(
            intermediate.inputSize == e && output.outputSize == e && output.inputSize == intermediate.outputSize
                && attentionNorm.weight.shape == [e] && outputNorm.weight.shape == [e],
            "TransformerEncoderBlock: feed-forward \(intermediate.weight.shape), \(output.weight.shape) for width \(e)")
        self.attention = attention
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
        self.activation = activation
        self.normalization = normalization
    }

    /// Hidden width `E`.
    public var width: Int { attention.outputProjection.outputSize }

    /// - Parameter keyPaddingMask: `B·T` flags, row-major `[B, T]`; `true` marks a padded token that no
    ///   position attends to (padded positions are still computed, as in the exported encoders).
    public func callAsFunction(_ x: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        switch normalization {
        case .post:
            let a = attentionNorm(x + attention(x, keyPaddingMask: keyPaddingMask))
            return outputNorm(a + output(activation(intermediate(a))))
        case .pre:
            let a = x + attention(attentionNorm(x), keyPaddingMask: keyPaddingMask)
            return a + output(activation(intermediate(outputNorm(a))))
        }
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("attention", attention.namedParameters()) + prefixed("attention_norm", attentionNorm.namedParameters())
            + prefixed("intermediate", intermediate.namedParameters()) + prefixed("output", output.namedParameters())
            + prefixed("output_norm", outputNorm.namedParameters())
    }

    public func setTraining(_ training: Bool) { attention.setTraining(training) }
}
