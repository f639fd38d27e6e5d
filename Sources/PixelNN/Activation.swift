import PixelTensor

/// Element-wise activation functions, selectable by name in configurations.
public enum Activation: Sendable, Equatable {
    case identity, relu, gelu, tanh, sigmoid, silu
    case leakyRelu(negativeSlope: Float)

    /// Parses `relu`, `gelu`, `tanh`, `sigmoid`, `silu`, `leaky_relu`, `identity`/`none`.
    public init?(name: String) {
        switch name.lowercased() {
        case "relu": self = .relu
        case "gelu": self = .gelu
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "silu", "swish": self = .silu
        case "leaky_relu", "leakyrelu": self = .leakyRelu(negativeSlope: 0.01)
        case "identity", "none", "linear": self = .identity
        default: return nil
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return PixelTensor.relu(x)
        case .gelu: return PixelTensor.gelu(x)
        case .tanh: return PixelTensor.tanh(x)
        case .sigmoid: return PixelTensor.sigmoid(x)
        case .silu: return PixelTensor.silu(x)
        case .leakyRelu(let slope): return PixelTensor.leakyRelu(x, negativeSlope: slope)
        }
    }
}
