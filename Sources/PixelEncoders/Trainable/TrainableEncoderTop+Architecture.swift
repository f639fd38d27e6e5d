import PixelNN
import PixelTensor

extension TrainableEncoderTop {
    /// The shapes of one imported post-LN block: enough to rebuild it without the ONNX file (the weights
    /// then come from a checkpoint).
    public struct BlockShape: Codable, Sendable, Equatable {
        /// Hidden width `E`.
        public var width: Int
        public var heads: Int
        /// Feed-forward width `F` (`intermediate` is `[F, E]`).
        public var intermediate: Int
        public var attentionEpsilon: Float
        public var outputEpsilon: Float
        /// Whether query, key, value, attention output, intermediate and output projections have a bias.
        public var biases: [Bool]

        public init(
            width: Int, heads: Int, intermediate: Int, attentionEpsilon: Float, outputEpsilon: Float, biases: [Bool]
        ) {
            self.width = width
            self.heads = heads
            self.intermediate = intermediate
            self.attentionEpsilon = attentionEpsilon
            self.outputEpsilon = outputEpsilon
            self.biases = biases
        }
    }

    /// Everything that fixes a top's layers and parameter shapes, for checkpoints.
    public struct Architecture: Codable, Sendable, Equatable {
        public var cut: String
        public var totalBlocks: Int
        public var pooling: TopPooling
        public var normalize: Bool
        public var blocks: [BlockShape]

        public init(cut: String, totalBlocks: Int, pooling: TopPooling, normalize: Bool, blocks: [BlockShape]) {
            self.cut = cut
            self.totalBlocks = totalBlocks
            self.pooling = pooling
            self.normalize = normalize
            self.blocks = blocks
        }

        /// The first broken rule of an architecture read from an untrusted file (widths and heads in range,
        /// heads dividing the width, one width throughout, six bias flags, finite positive epsilons), or `nil`.
        public var violation: String? {
            guard (1...64).contains(blocks.count), blocks.count <= totalBlocks, totalBlocks <= 1024 else {
                return "\(blocks.count) blocks of \(totalBlocks): must be 1…64 and at most the total (≤ 1024)"
            }
            guard !cut.isEmpty, cut.utf8.count <= 4096 else { return "cut: empty or longer than 4096 bytes" }
            for (k, b) in blocks.enumerated() {
                guard (1...65536).contains(b.width), b.width == blocks[0].width else {
                    return "blocks[\(k)].width: \(b.width) must be 1…65536 and the same in every block"
                }
                guard (1...b.width).contains(b.heads), b.width % b.heads == 0 else {
                    return "blocks[\(k)].heads: \(b.heads) must divide the width \(b.width)"
                }
                guard (1...262_144).contains(b.intermediate) else {
                    return "blocks[\(k)].intermediate: \(b.intermediate) must be 1…262144"
                }
                guard b.biases.count == 6 else { return "blocks[\(k)].biases: \(b.biases.count) flags, expected 6" }
                for e in [b.attentionEpsilon, b.outputEpsilon] where !(e.isFinite && e > 0 && e < 1) {
                    return "blocks[\(k)]: LayerNorm epsilon \(e) must be in (0, 1)"
                }
            }
            return nil
        }

        /// Parameter names (as ``TrainableEncoderTop/namedParameters()`` spells them) and shapes, in that order.
        public var parameterShapes: [(String, [Int])] {
            var out: [(String, [Int])] = []
            for (k, b) in blocks.enumerated() {
                let prefix = "blocks.\(totalBlocks - blocks.count + k)."
                let (e, f) = (b.width, b.intermediate)
                let linears: [(String, [Int], Bool)] = [
                    ("attention.q_proj", [e, e], b.biases[0]), ("attention.k_proj", [e, e], b.biases[1]),
                    ("attention.v_proj", [e, e], b.biases[2]), ("attention.out_proj", [e, e], b.biases[3]),
                ]
                for (name, shape, bias) in linears {
                    out.append((prefix + name + ".weight", shape))
                    if bias { out.append((prefix + name + ".bias", [shape[0]])) }
                }
                out += [(prefix + "attention_norm.weight", [e]), (prefix + "attention_norm.bias", [e])]
                out.append((prefix + "intermediate.weight", [f, e]))
                if b.biases[4] { out.append((prefix + "intermediate.bias", [f])) }
                out.append((prefix + "output.weight", [e, f]))
                if b.biases[5] { out.append((prefix + "output.bias", [e])) }
                out += [(prefix + "output_norm.weight", [e]), (prefix + "output_norm.bias", [e])]
            }
            return out
        }
    }

    /// This top's architecture.
    public var architecture: Architecture {
        Architecture(
            cut: cut, totalBlocks: totalBlocks, pooling: pooling, normalize: normalize,
            blocks: blocks.map { block in
                let a = block.attention
                let linears = [
                    a.queryProjection, a.keyProjection, a.valueProjection, a.outputProjection, block.intermediate,
                    block.output,
                ]
                return BlockShape(
                    width: block.width, heads: a.heads, intermediate: block.intermediate.outputSize,
                    attentionEpsilon: block.attentionNorm.epsilon, outputEpsilon: block.outputNorm.epsilon,
                    biases: linears.map { $0.bias != nil })
            })
    }

    /// A top with `architecture`'s layers and placeholder weights (zero projections, unit LayerNorms), to
    /// be filled by `load(stateDict:)` from a checkpoint.
    /// - Throws: ``EncoderError/invalidArgument(_:)`` with ``Architecture/violation``.
    public convenience init(architecture: Architecture) throws {
        if let violation = architecture.violation {
            throw EncoderError.invalidArgument("encoder top architecture: \(violation)")
        }
        let blocks = architecture.blocks.map { b -> TransformerEncoderBlock in
            let (e, f) = (b.width, b.intermediate)
            func linear(_ output: Int, _ input: Int, _ bias: Bool) -> Linear {
                Linear(weight: Tensor(zeros: [output, input]), bias: bias ? Tensor(zeros: [output]) : nil)
            }
            func norm(_ epsilon: Float) -> LayerNorm {
                LayerNorm(weight: Tensor(repeating: 1, shape: [e]), bias: Tensor(zeros: [e]), epsilon: epsilon)
            }
            let attention = MultiHeadAttention(
                query: linear(e, e, b.biases[0]), key: linear(e, e, b.biases[1]), value: linear(e, e, b.biases[2]),
                output: linear(e, e, b.biases[3]), heads: b.heads, seed: 0)
            return TransformerEncoderBlock(
                attention: attention, attentionNorm: norm(b.attentionEpsilon), intermediate: linear(f, e, b.biases[4]),
                output: linear(e, f, b.biases[5]), outputNorm: norm(b.outputEpsilon), activation: .gelu,
                normalization: .post)
        }
        self.init(
            blocks: blocks, cut: architecture.cut, totalBlocks: architecture.totalBlocks, pooling: architecture.pooling,
            normalize: architecture.normalize)
    }
}
