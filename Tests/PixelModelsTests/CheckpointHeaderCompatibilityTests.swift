import Foundation
import PixelConfig
import Testing

@testable import PixelModels

/// A checkpoint header written by `pixelrec train` at 3877863, when `ModelHyperparameters` held its
/// settings as strings, and the settings it must decode to.
struct EarlierHeader: CustomTestStringConvertible, Sendable {
    /// `Fixtures/<name>.json`: the JSON header, byte for byte as in the `.ckpt` file.
    let name: String
    /// Float32 values in the file's payload (the layout the header describes fills exactly these).
    let payloadFloats: Int
    let modelClass: ModelClass
    let scoring: Scoring
    let activation: PixelConfig.Activation
    let initMethod: InitMethod
    let finalActivation: FinalActivation
    let userEncoder: UserEncoder
    let itemTower: ItemTower?
    let optimizer: OptimizerType
    var testDescription: String { name }

    /// Both made on 60 users × 40 items from `pixelrec synth --users 60 --items 40 --interactions 1100
    /// --seed 7`, then `preprocess`, `split --strategy leave_one_out`, `encode` and `train` with
    /// configs/demo_config.yaml (paths moved, `embedding_dim: 16`, `epochs: 2`). The second one with
    /// `--set` model.model_class=enhanced model.scoring=pairwise model.fusion_activation=gelu
    /// model.init_method=kaiming_normal model.final_activation=none training.optimizer_type=sgd
    /// model.user_encoder=hybrid model.item_tower=content model.fusion_hidden_dims=[16]
    /// model.use_batch_norm=true model.max_seq_len=8 model.seq_blocks=1 model.seq_heads=2
    /// training.epochs=1 training.loss=bpr: every string setting takes a value other than the default.
    static let all: [EarlierHeader] = [
        .init(
            name: "checkpoint_header_3877863_pretrained", payloadFloats: 43269, modelClass: .pretrained,
            scoring: .dot, activation: .relu, initMethod: .xavierUniform, finalActivation: .sigmoid, userEncoder: .id,
            itemTower: nil, optimizer: .adamw),
        .init(
            name: "checkpoint_header_3877863_enhanced", payloadFloats: 38306, modelClass: .enhanced,
            scoring: .pairwise, activation: .gelu, initMethod: .kaimingNormal, finalActivation: .none,
            userEncoder: .hybrid, itemTower: .content, optimizer: .sgd),
    ]
}

/// Checkpoints written before the settings of `ModelHyperparameters` were enums still read, and the
/// header a checkpoint writes is the same JSON as before.
@Suite("Checkpoint headers written with string settings")
struct CheckpointHeaderCompatibilityTests {
    @Test("decode to the same settings, validate, and encode back to the same bytes", arguments: EarlierHeader.all)
    func decodes(_ earlier: EarlierHeader) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + earlier.name, withExtension: "json"))
        let json = try Data(contentsOf: url)
        let header = try JSONDecoder().decode(CheckpointHeader.self, from: json)
        try header.validate(payloadFloats: earlier.payloadFloats)
        let h = header.hyperparameters
        #expect(h.modelClass == earlier.modelClass)
        #expect(h.scoring == earlier.scoring)
        #expect(h.activation == earlier.activation)
        #expect(h.initMethod == earlier.initMethod)
        #expect(h.finalActivation == earlier.finalActivation)
        #expect(h.userEncoder == earlier.userEncoder)
        #expect(h.itemTower == earlier.itemTower)
        #expect(header.optimizer == earlier.optimizer)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // as `Checkpoint.prefixBytes` writes it
        #expect(try encoder.encode(header) == json)
        let model = PretrainedMultimodalRecommender.make(h)
        #expect(model.namedParameters().map(\.0) == h.expectedState().parameters.map(\.0))
    }

    @Test("an unknown setting in an earlier header is refused naming the field")
    func unknownSetting() throws {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/checkpoint_header_3877863_pretrained", withExtension: "json"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = text.replacingOccurrences(
            of: #""finalActivation":"sigmoid""#, with: #""finalActivation":"softmax""#)
        #expect(edited != text)
        do {
            _ = try JSONDecoder().decode(CheckpointHeader.self, from: Data(edited.utf8))
            Issue.record("decoded finalActivation softmax")
        } catch {
            let violation = FieldViolation(decoding: error)
            #expect(violation.field == "hyperparameters.finalActivation")
            #expect(violation.reason == "'softmax' is not one of sigmoid, none")
        }
    }
}
