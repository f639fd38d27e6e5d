import PixelNN
import PixelOptim
import PixelTensor

/// The default fusion network at Pixel200K shape, as the train-step benchmark defines it (the PyTorch
/// peer in bench/train_step_peer.py is the same module):
/// tokens `[user-id, item-id, Linear 512→128 (vision), Linear 384→128 (text), Linear 7→128 (numeric)]`
/// (`[B, 5, 128]`), 4-head self-attention with residual + LayerNorm, mean-pool over tokens,
/// MLP [512, 256, 128] (ReLU, BatchNorm, dropout 0.1), score `⟨mlp, user⟩`, BCE with logits.
final class FusionNetwork: Layer {
    let users: Embedding
    let items: Embedding
    let vision: Linear
    let text: Linear
    let numeric: Linear
    let attention: MultiHeadAttention
    let norm: LayerNorm
    let mlp: MLP

    init(userCount: Int, itemCount: Int, width: Int = 128, seed: UInt64) {
        users = Embedding(count: userCount, dimension: width, initializer: .normal(std: 0.1), seed: seed)
        items = Embedding(count: itemCount, dimension: width, initializer: .normal(std: 0.1), seed: seed + 1)
        vision = Linear(inputSize: 512, outputSize: width, seed: seed + 2)
        text = Linear(inputSize: 384, outputSize: width, seed: seed + 3)
        numeric = Linear(inputSize: 7, outputSize: width, seed: seed + 4)
        attention = MultiHeadAttention(embedDim: width, heads: 4, seed: seed + 5)
        norm = LayerNorm(dimension: width)
        mlp = MLP(
            inputSize: width, hiddenSizes: [512, 256, width], activation: .relu, batchNorm: true, dropout: 0.1,
            seed: seed + 6)
    }

    func loss(_ batch: Batch) -> Tensor {
        let user = users(batch.userIDs)
        let tokens = stack(
            [user, items(batch.itemIDs), vision(batch.vision), text(batch.text), numeric(batch.numeric)], axis: 1)
        let h = norm(tokens + attention(tokens))
        let z = mlp(h.mean(axis: 1))
        let scores = (z * user).sum(axis: -1)
        return Loss.binaryCrossEntropyWithLogits(scores, targets: batch.labels)
    }

    func namedParameters() -> [(String, Parameter)] {
        prefixed("users", users.namedParameters()) + prefixed("items", items.namedParameters())
            + prefixed("vision", vision.namedParameters()) + prefixed("text", text.namedParameters())
            + prefixed("numeric", numeric.namedParameters()) + prefixed("attention", attention.namedParameters())
            + prefixed("norm", norm.namedParameters()) + prefixed("mlp", mlp.namedParameters())
    }

    func namedBuffers() -> [(String, Parameter)] { prefixed("mlp", mlp.namedBuffers()) }

    func setTraining(_ training: Bool) {
        attention.setTraining(training)
        mlp.setTraining(training)
    }
}

/// One batch: 256 positives + 256 sampled negatives, each pair with the user of its positive.
struct Batch {
    let userIDs: IndexTensor
    let itemIDs: IndexTensor
    let vision: Tensor
    let text: Tensor
    let numeric: Tensor
    let labels: Tensor

    static func random(positives: Int, userCount: Int, itemCount: Int, generator: inout RandomGenerator) -> Batch {
        let n = 2 * positives
        let users = (0..<positives).map { _ in Int32(generator.nextInt(below: userCount)) }
        return Batch(
            userIDs: IndexTensor(users + users),
            itemIDs: IndexTensor((0..<n).map { _ in Int32(generator.nextInt(below: itemCount)) }),
            vision: .randomNormal(shape: [n, 512], generator: &generator),
            text: .randomNormal(shape: [n, 384], generator: &generator),
            numeric: .randomNormal(shape: [n, 7], generator: &generator),
            labels: Tensor((0..<n).map { $0 < positives ? 1 : 0 }))
    }
}
