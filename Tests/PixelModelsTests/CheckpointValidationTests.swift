import Foundation
import PixelConfig
import Testing

@testable import PixelModels

/// A valid checkpoint (1 epoch of the memory inputs, AdamW) and its bytes, made once.
private let validCheckpoint = Result { () throws -> Data in
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try Trainer(
        inputs: try memoryInputs(config: smallConfig(epochs: 1)), options: .init(checkpointDirectory: directory)
    )
    .run()
    return try Data(contentsOf: URL(fileURLWithPath: directory + "/last.ckpt"))
}

/// The JSON header and payload of a checkpoint file.
func checkpointParts(_ file: Data) -> (header: [String: Any], payload: Data) {
    let bytes = [UInt8](file)
    var length = 0
    for k in 0..<8 { length |= Int(bytes[8 + k]) << (8 * k) }
    let json = try! JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + length)])) as! [String: Any]
    return (json, Data(bytes[((16 + length + 63) / 64 * 64)...]))
}

/// A checkpoint file of `json` (header text) and `payload`, laid out as the writer does.
func checkpointFile(json: Data, payload: Data) -> Data {
    var data = Data("PXCKPT01".utf8)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    data.append(Data(count: (data.count + 63) / 64 * 64 - data.count))
    return data + payload
}

/// `file` with its header edited as a JSON tree (the payload and its checksum unchanged).
func editingHeader(_ file: Data, _ edit: (inout [String: Any]) -> Void) -> Data {
    var (header, payload) = checkpointParts(file)
    edit(&header)
    return checkpointFile(
        json: try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), payload: payload)
}

/// `file` with `old` replaced by `new` in the header's JSON text (for tokens JSONSerialization cannot write).
func editingHeaderText(_ file: Data, _ old: String, _ new: String) -> Data {
    let (header, payload) = checkpointParts(file)
    let text = String(
        data: try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), encoding: .utf8)!
    precondition(text.contains(old), "\(old) not in the header")
    return checkpointFile(json: Data(text.replacingOccurrences(of: old, with: new).utf8), payload: payload)
}

/// The one-line error `Checkpoint.decode` throws for `file`, or "decoded".
func decodeError(_ file: Data) -> String {
    do {
        _ = try Checkpoint.decode(file, path: "x.ckpt")
        return "decoded"
    } catch {
        return "\(error)"
    }
}

extension Dictionary where Key == String, Value == Any {
    subscript(object key: String) -> [String: Any] {
        get { self[key] as! [String: Any] }
        set { self[key] = newValue }
    }
    subscript(array key: String) -> [Any] {
        get { self[key] as! [Any] }
        set { self[key] = newValue }
    }
}

/// One hostile edit of a valid checkpoint and the exact error it must give.
struct HostileCheckpoint: CustomTestStringConvertible, Sendable {
    let name: String
    /// Builds the hostile file from the valid one; returns it and the expected message after `x.ckpt: `.
    let make: @Sendable (Data) throws -> (Data, String)
    var testDescription: String { name }

    /// The sample of issue 15 (class 1) and more of the class; each edits one field of a valid checkpoint.
    static let all: [HostileCheckpoint] = [
        .init(name: "heads not dividing the width") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["heads"] = 3 },
                "hyperparameters.heads: 3 does not divide embeddingDim 16"
            )
        },
        .init(name: "a tensor shape [2^32, 2^32]") { file in
            let data = editingHeader(file) { h in
                var tensors = h[array: "tensors"] as! [[String: Any]]
                tensors[0]["shape"] = [1 << 32, 1 << 32]
                h["tensors"] = tensors
            }
            return (data, "tensors[0].shape: [4294967296, 4294967296] has a negative dimension or too many elements")
        },
        .init(name: "an offset of Int.max") { file in
            let (header, payload) = checkpointParts(file)
            let first = (header[array: "tensors"] as! [[String: Any]])[0]
            let n = (first["shape"] as! [Int]).reduce(1, *)
            let data = editingHeader(file) { h in
                var tensors = h[array: "tensors"] as! [[String: Any]]
                tensors[0]["offset"] = Int.max
                h["tensors"] = tensors
            }
            return (
                data,
                "tensors[0].offset: \(Int.max) + \(n) floats is outside the payload of \(payload.count / 4) floats"
            )
        },
        .init(name: "a negative offset") { file in
            let (_, payload) = checkpointParts(file)
            let data = editingHeader(file) { h in
                var tensors = h[array: "tensors"] as! [[String: Any]]
                tensors[1]["offset"] = -4
                h["tensors"] = tensors
            }
            let n = (((checkpointParts(file).header[array: "tensors"] as! [[String: Any]])[1])["shape"] as! [Int])
                .reduce(1, *)
            return (data, "tensors[1].offset: -4 + \(n) floats is outside the payload of \(payload.count / 4) floats")
        },
        .init(name: "overlapping offsets") { file in
            let data = editingHeader(file) { h in
                var tensors = h[array: "tensors"] as! [[String: Any]]
                tensors[1]["offset"] = 0
                h["tensors"] = tensors
            }
            let first = (checkpointParts(file).header[array: "tensors"] as! [[String: Any]])[0]
            let n = (first["shape"] as! [Int]).reduce(1, *)
            return (data, "tensors[1].offset: 0, expected \(n) (entries are stored back to back)")
        },
        .init(name: "a negative embedding_dim") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["embeddingDim"] = -16 },
                "hyperparameters.embeddingDim: -16 is outside 1...65536"
            )
        },
        .init(name: "an embedding_dim of 2^40") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["embeddingDim"] = 1 << 40 },
                "hyperparameters.embeddingDim: 1099511627776 is outside 1...65536"
            )
        },
        .init(name: "an embedding_dim of 2^64 (not an Int)") { file in
            let data = editingHeaderText(file, "\"embeddingDim\":16", "\"embeddingDim\":18446744073709551616")
            return (data, "header: The given data was not valid JSON.")
        },
        .init(name: "an embedding_dim that matches no tensor") { file in
            (
                editingHeader(file) { h in
                    h[object: "hyperparameters"]["embeddingDim"] = 32
                    h[object: "hyperparameters"]["heads"] = 2
                }, "tensors[0].shape: [16], the model's attention.k_proj.bias is [32]"
            )
        },
        .init(name: "more user keys than userCount") { file in
            let users = checkpointParts(file).header[array: "userKeys"].count
            return (
                editingHeader(file) { $0["userKeys"] = $0[array: "userKeys"] + ["intruder"] },
                "userKeys: \(users + 1) keys, hyperparameters.userCount is \(users)"
            )
        },
        .init(name: "a userCount of 2^40") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["userCount"] = 1 << 40 },
                "hyperparameters.userCount: 1099511627776 is outside 1...2147483647"
            )
        },
        .init(name: "a duplicate item key") { file in
            let first = checkpointParts(file).header[array: "itemKeys"][0] as! String
            return (
                editingHeader(file) { h in
                    var keys = h[array: "itemKeys"]
                    keys[3] = keys[0]
                    h["itemKeys"] = keys
                }, "itemKeys[3]: duplicate key '\(first)'"
            )
        },
        .init(name: "a negative epoch") { file in
            (editingHeader(file) { $0["epoch"] = -1 }, "epoch: -1 is negative")
        },
        .init(name: "an epoch beyond the history") { file in
            (editingHeader(file) { $0["epoch"] = 7 }, "history: 1 records for epoch 7 (one per epoch completed)")
        },
        .init(name: "a global step that disagrees with the history") { file in
            let steps = checkpointParts(file).header["globalStep"] as! Int
            return (
                editingHeader(file) { $0["globalStep"] = 1 << 40 },
                "globalStep: 1099511627776, the history's steps add up to \(steps)"
            )
        },
        .init(name: "a global step of NaN") { file in
            let steps = checkpointParts(file).header["globalStep"] as! Int
            return (
                editingHeaderText(file, "\"globalStep\":\(steps)", "\"globalStep\":NaN"),
                "header: The given data was not valid JSON."
            )
        },
        .init(name: "an optimizer step of NaN (payload resealed)") { file in
            var checkpoint = try Checkpoint.decode(file, path: "x.ckpt")
            checkpoint.optimizerState["attention.k_proj.bias.step"] = [.nan]
            let steps = checkpoint.header.globalStep
            return (
                try checkpoint.encoded(),
                "optimizerState[attention.k_proj.bias.step]: nan is not a step count in 1...\(steps) (globalStep)"
            )
        },
        .init(name: "an optimizer step of 2^62 (payload resealed)") { file in
            var checkpoint = try Checkpoint.decode(file, path: "x.ckpt")
            checkpoint.optimizerState["fusion.head.weight.step"] = [0x1p62]
            let steps = checkpoint.header.globalStep
            return (
                try checkpoint.encoded(),
                "optimizerState[fusion.head.weight.step]: 4.611686e+18 is not a step count in 1...\(steps) (globalStep)"
            )
        },
        .init(name: "sequence heads not dividing the width") { file in
            let data = editingHeader(file) { h in
                h[object: "hyperparameters"]["sequence"] = [
                    "userEncoder": "sequence", "maxLength": 8, "blocks": 1, "heads": 3, "dropout": 0.1,
                ]
            }
            return (data, "hyperparameters.sequence.heads: 3 does not divide embeddingDim 16")
        },
        .init(name: "a sequence length of 2^40") { file in
            let data = editingHeader(file) { h in
                h[object: "hyperparameters"]["sequence"] = [
                    "userEncoder": "hybrid", "maxLength": 1 << 40, "blocks": 1, "heads": 2, "dropout": 0.1,
                ]
            }
            return (data, "hyperparameters.sequence.maxLength: 1099511627776 is outside 1...4096")
        },
        .init(name: "a valid sequence setting the tensors lack") { file in
            let data = editingHeader(file) { h in
                h[object: "hyperparameters"]["sequence"] = [
                    "userEncoder": "hybrid", "maxLength": 8, "blocks": 1, "heads": 2, "dropout": 0.1,
                ]
            }
            return (data, "tensors: 'sequence.blocks.0.attention.k_proj.bias' is missing")
        },
        .init(name: "an unknown item tower") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["itemTower"] = "pixels" },
                "hyperparameters.itemTower: 'pixels' is not one of id_content, id, content"
            )
        },
        .init(name: "dropout of 1.5") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["dropout"] = 1.5 },
                "hyperparameters.dropout: 1.5 is outside [0, 1)"
            )
        },
        .init(name: "a zero fusion width") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["fusionHiddenDims"] = [0] },
                "hyperparameters.fusionHiddenDims[0]: 0 is outside 1...65536"
            )
        },
        .init(name: "an unknown model class") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["modelClass"] = "huge\nclass" },
                "hyperparameters.modelClass: 'huge\\nclass' is not one of pretrained, enhanced"
            )
        },
        .init(name: "an activation PixelNN knows but the configuration does not") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["activation"] = "swish" },
                "hyperparameters.activation: 'swish' is not one of relu, gelu, tanh, leaky_relu, silu"
            )
        },
        .init(name: "an unknown init method") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["initMethod"] = "orthogonal" },
                "hyperparameters.initMethod: 'orthogonal' is not one of xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal"
            )
        },
        .init(name: "a scoring that is not a name") { file in
            (
                editingHeader(file) { $0[object: "hyperparameters"]["scoring"] = 1 },
                "hyperparameters.scoring: wrong type, expected String"
            )
        },
        .init(name: "an unknown sequence user encoder") { file in
            (
                editingHeader(file) {
                    $0[object: "hyperparameters"]["sequence"] = [
                        "userEncoder": "gru", "maxLength": 8, "blocks": 1, "heads": 2, "dropout": 0,
                    ]
                },
                "hyperparameters.sequence.userEncoder: 'gru' is not one of id, sequence, hybrid"
            )
        },
        .init(name: "a tensor name the model does not have") { file in
            (
                editingHeader(file) { h in
                    var tensors = h[array: "tensors"] as! [[String: Any]]
                    tensors[2]["name"] = "evil"
                    h["tensors"] = tensors
                }, "tensors[2].name: 'evil' is not part of this model"
            )
        },
        .init(name: "a missing tensor") { file in
            (
                editingHeader(file) { h in
                    var tensors = h[array: "tensors"] as! [[String: Any]]
                    tensors.removeLast()
                    h["tensors"] = tensors
                }, "tensors: 'vision_projection.0.weight' is missing"
            )
        },
        .init(name: "an unknown optimizer") { file in
            (editingHeader(file) { $0["optimizer"] = "lbfgs" }, "optimizer: 'lbfgs' is not one of adamw, adam, sgd")
        },
        .init(name: "a run start of 1e300") { file in
            (editingHeader(file) { $0["runStarted"] = 1e300 }, "runStarted: 1e+300 is not a time in seconds since 1970")
        },
        .init(name: "a best epoch past the last") { file in
            (editingHeader(file) { $0["bestEpoch"] = 2 }, "bestEpoch: 2 is outside 0...1 (epoch)")
        },
        .init(name: "an epoch of the wrong type") { file in
            (editingHeader(file) { $0["epoch"] = "one" }, "epoch: wrong type, expected Int")
        },
        .init(name: "no tensor list") { file in
            (editingHeader(file) { $0["tensors"] = nil }, "tensors: missing")
        },
        .init(name: "a header length of 2^63") { file in
            var bytes = [UInt8](file)
            bytes[15] = 0x80
            return (
                Data(bytes),
                "header length: \(UInt64(1) << 63 | UInt64(bytes[8]) | UInt64(bytes[9]) << 8) bytes exceed the file's \(bytes.count - 16) after the signature"
            )
        },
        .init(name: "a truncated payload") { file in
            (
                file.prefix(file.count - 6),
                "payload: truncated (\(file.count - 6) bytes in all, payload from byte \(file.count - checkpointParts(file).payload.count))"
            )
        },
        .init(name: "a payload float overwritten") { file in
            var bytes = [UInt8](file)
            bytes[bytes.count - 8] ^= 0x55
            return (Data(bytes), "payload checksum: mismatch (corrupt file)")
        },
    ]
}

/// Issue 15, class 1: edited checkpoint headers are refused with one line naming the field, never a trap.
@Suite("Checkpoint header validation")
struct CheckpointValidationTests {
    @Test("the valid checkpoint decodes")
    func valid() throws {
        #expect(decodeError(try validCheckpoint.get()) == "decoded")
    }

    @Test("a hostile field gives one exact line naming it", arguments: HostileCheckpoint.all)
    func hostile(_ case_: HostileCheckpoint) throws {
        let (file, expected) = try case_.make(try validCheckpoint.get())
        #expect(decodeError(file) == "x.ckpt: " + expected)
    }

    @Test(
        "the layout the validation expects is the model's own (names and shapes of parameters and buffers)",
        arguments: [
            ("pretrained", "dot", false, nil, 2, "id", "id_content"), ("enhanced", "dot", true, 8, 0, "sequence", "id"),
            ("pretrained", "pairwise", true, nil, 3, "hybrid", "content"),
            ("enhanced", "pairwise", false, 5, 1, "hybrid", "id_content"),
        ] as [(String, String, Bool, Int?, Int, String, String)])
    func expectedState(
        _ modelClass: String, _ scoring: String, _ batchNorm: Bool, _ hidden: Int?, _ numeric: Int, _ users: String,
        _ items: String
    ) throws {
        var config = ModelConfig()
        config.userEncoder = UserEncoder(rawValue: users)!
        config.itemTower = ItemTower(rawValue: items)!
        config.maxSeqLen = 6
        config.seqBlocks = 2
        config.seqHeads = 4
        config.modelClass = ModelClass(rawValue: modelClass)!
        config.scoring = Scoring(rawValue: scoring)!
        config.useBatchNorm = batchNorm
        config.projectionHiddenDim = hidden
        config.embeddingDim = 8
        config.numAttentionHeads = 2
        config.fusionHiddenDims = [6, 4]
        let h = try ModelHyperparameters(
            model: config, seed: 1, userCount: 5, itemCount: 4, visionWidth: 3, textWidth: 7, numericWidth: numeric)
        try h.validate()
        let model = PretrainedMultimodalRecommender.make(h)
        let (parameters, buffers) = h.expectedState()
        #expect(parameters.map(\.0) == model.namedParameters().map(\.0))
        #expect(parameters.map(\.1) == model.namedParameters().map(\.1.shape))
        #expect(buffers.map(\.0) == model.namedBuffers().map(\.0))
        #expect(buffers.map(\.1) == model.namedBuffers().map(\.1.shape))
    }
}
