import Foundation
import PixelCore
import Testing

@testable import PixelConfig

/// Each bad input gives exactly one line naming file, line:column and key.
@Suite("Error messages")
struct ErrorMessageTests {
    static let cases: [(what: String, yaml: String, message: String)] = [
        (
            "misspelt section", "traning:\n  epochs: 3\n",
            "test.yaml:1:1: unknown key 'traning' (did you mean 'training'?)"
        ),
        (
            "misspelt key", "training:\n  epochs: 3\n  lerning_rate: 0.1\n",
            "test.yaml:3:3: unknown key 'training.lerning_rate' (did you mean 'training.learning_rate'?)"
        ),
        (
            "key in the wrong section", "model:\n  batch_size: 32\n",
            "test.yaml:2:3: unknown key 'model.batch_size' (did you mean 'training.batch_size'?)"
        ),
        ("unknown key, nothing close", "model:\n  wibble: 1\n", "test.yaml:2:3: unknown key 'model.wibble'"),
        (
            "wrong type: text for a number", "training:\n  learning_rate: fast\n",
            "test.yaml:2:18: training.learning_rate: expected a number, got \"fast\""
        ),
        (
            "wrong type: quoted number", "training:\n  epochs: \"10\"\n",
            "test.yaml:2:11: training.epochs: expected an integer, got \"10\" (quoted, so a string)"
        ),
        (
            "wrong type: float for an integer", "training:\n  epochs: 10.5\n",
            "test.yaml:2:11: training.epochs: expected an integer, got \"10.5\""
        ),
        (
            "wrong type: list for a boolean", "model:\n  use_batch_norm: [true]\n",
            "test.yaml:2:19: model.use_batch_norm: expected true or false, got a list"
        ),
        (
            "wrong type: null for a string", "checkpoint_dir:\n",
            "test.yaml:1:16: checkpoint_dir: expected a string, got null"
        ),
        (
            "wrong type: scalar for a section", "model: clip\n",
            "test.yaml:1:8: model: expected a mapping of model settings, got \"clip\""
        ),
        (
            "wrong type: list element", "evaluation:\n  k_values: [5, ten]\n",
            "test.yaml:2:17: evaluation.k_values[1]: expected an integer, got \"ten\""
        ),
        (
            "wrong type: optional", "model:\n  projection_hidden_dim: wide\n",
            "test.yaml:2:26: model.projection_hidden_dim: expected an integer or null, got \"wide\""
        ),
        (
            "wrong metric", "training:\n  early_stopping_metric: auc@10\n",
            "test.yaml:2:26: training.early_stopping_metric: expected val_loss or <metric>@<k> with metric one of hit_rate, precision, recall, ndcg, mrr, map, got \"auc@10\""
        ),
        (
            "unknown enum value", "model:\n  vision_model: dinov3\n",
            "test.yaml:2:17: model.vision_model: 'dinov3' is not one of clip, dino, resnet, convnext, efficientnet, builtin (did you mean 'dino'?)"
        ),
        (
            "unknown enum value, nothing close", "training:\n  optimizer_type: lion\n",
            "test.yaml:2:19: training.optimizer_type: 'lion' is not one of adamw, adam, sgd"
        ),
        (
            "out of range: learning rate", "training:\n  learning_rate: -0.001\n",
            "test.yaml:2:18: training.learning_rate: must be > 0, got -0.001"
        ),
        (
            "out of range: dropout", "model:\n  dropout_rate: 1.0\n",
            "test.yaml:2:17: model.dropout_rate: must be in [0.0, 1.0), got 1.0"
        ),
        (
            "out of range: batch size", "training:\n  batch_size: 0\n",
            "test.yaml:2:15: training.batch_size: must be at least 1, got 0"
        ),
        (
            "out of range: list entries", "model:\n  fusion_hidden_dims: [64, 0]\n",
            "test.yaml:2:23: model.fusion_hidden_dims: every entry must be at least 1, got [64, 0]"
        ),
        (
            "out of range: pair", "data:\n  offline_image_compression:\n    resize_if_pixels_larger_than: [2048]\n",
            "test.yaml:3:35: data.offline_image_compression.resize_if_pixels_larger_than: must hold exactly 2 entries, got [2048]"
        ),
        (
            "out of range: integer overflow", "training:\n  seed: 99999999999999999999\n",
            "test.yaml:2:9: training.seed: must fit in 64 bits, got 99999999999999999999"
        ),
        (
            "out of range: infinity", "training:\n  gradient_clip: .inf\n",
            "test.yaml:2:18: training.gradient_clip: must be a finite number, got .inf"
        ),
        (
            "ratios do not sum to 1",
            "data:\n  splitting:\n    train_final_ratio: 0.40\n    val_final_ratio: 0.15\n    test_final_ratio: 0.40\n",
            "test.yaml:5:23: data.splitting.test_final_ratio: train_final_ratio + val_final_ratio + test_final_ratio must be 1 (±1e-6), got 0.4 + 0.15 + 0.4 = 0.9500000000000001"
        ),
        (
            "heads do not divide the embedding", "model:\n  embedding_dim: 100\n  num_attention_heads: 3\n",
            "test.yaml:3:24: model.num_attention_heads: must divide model.embedding_dim (100) when cross-modal attention is used, got 3"
        ),
        (
            "fewer candidates than top_k", "recommendation:\n  top_k: 100\n  max_candidates: 50\n",
            "test.yaml:3:19: recommendation.max_candidates: must be at least recommendation.top_k (100), got 50"
        ),
        (
            "YAML syntax error", "training:\n  epochs: 3\n  batch_size: 4: 5\n",
            "test.yaml:3:16: YAML syntax error: mapping values are not allowed in this context"
        ),
        (
            "YAML syntax error with context", "training: [1, 2\n",
            "test.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 1:11)"
        ),
        (
            "tab indentation", "training:\n\tepochs: 3\n",
            "test.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at 2:1); tabs cannot indent YAML, use spaces"
        ),
        (
            "duplicate key", "training:\n  epochs: 3\n  batch_size: 4\n  epochs: 5\n",
            "test.yaml:4:3: duplicate key 'epochs' (first at 2:3)"
        ),
        (
            "duplicate section", "model:\n  embedding_dim: 64\nmodel:\n  embedding_dim: 32\n",
            "test.yaml:3:1: duplicate key 'model' (first at 1:1)"
        ),
        ("undefined alias", "training:\n  epochs: *epochs\n", "test.yaml:2:11: undefined alias '*epochs'"),
        (
            "self-referencing alias", "x-loop: &loop\n  inner: *loop\n",
            "test.yaml:2:10: alias '*loop' refers to a node that contains it"
        ),
        (
            "alias of the wrong type", "x-dims: &dims [64, 32]\ntraining:\n  epochs: *dims\n",
            "test.yaml:3:11: training.epochs: expected an integer, got a list"
        ),
        (
            "merge of a scalar", "x-one: &one 1\ntraining:\n  <<: *one\n",
            "test.yaml:3:7: a merge key '<<' takes a mapping or a list of mappings, got \"1\""
        ),
        (
            "two documents", "training:\n  epochs: 3\n---\ntraining:\n  epochs: 4\n",
            "test.yaml:3:1: a config file holds one YAML document, found a second one"
        ),
        (
            "top level not a mapping", "- model\n- training\n",
            "test.yaml:1:1: the top level of a config must be a mapping of keys, got a list"
        ),
        (
            "unsupported tag", "data:\n  resize: !!python/tuple [1, 2]\n",
            "test.yaml:2:11: unsupported YAML tag '!!python/tuple'"
        ),
        ("non-scalar key", "? [a, b]\n: 1\n", "test.yaml:1:3: a key must be a plain value, got a list"),
    ]

    @Test("bad input gives its exact one-line message", arguments: cases.indices)
    func badInput(_ index: Int) {
        let (what, yaml, message) = Self.cases[index]
        #expect(loadError(yaml) == message, "\(what)")
        #expect(!(loadError(yaml) ?? "").contains("\n"))
    }

    @Test("a missing file names the path and the system's reason")
    func missingFile() {
        #expect(throws: ConfigError.unreadableFile(path: "configs/missing.yaml", reason: "No such file or directory")) {
            _ = try ConfigLoader.load(path: "configs/missing.yaml")
        }
        #expect(
            ConfigError.unreadableFile(path: "configs/missing.yaml", reason: "No such file or directory").description
                == "configs/missing.yaml: cannot read config file: No such file or directory")
    }

    @Test("a directory is not a config file")
    func directory() throws {
        let directory = try temporaryDirectory()
        #expect(throws: ConfigError.unreadableFile(path: directory, reason: "Is a directory")) {
            _ = try ConfigLoader.load(path: directory)
        }
    }

    @Test("errors in a file on disk name its path")
    func pathInMessage() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/x.yaml"
        try "training:\n  learning_rate: fast\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: ConfigError.typeMismatch(
                SourceLocation(source: path, line: 2, column: 18), key: "training.learning_rate", expected: "a number",
                found: "\"fast\"")
        ) {
            _ = try ConfigLoader.load(path: path)
        }
    }

    @Test("invalid UTF-8 is reported at its byte")
    func invalidEncoding() {
        let bytes = Array("training:\n  epochs: ".utf8) + [0xFF, 0x0A]
        #expect(
            throws: ConfigError.syntax(
                SourceLocation(source: "bytes.yaml", line: 2, column: 11),
                problem: "invalid leading UTF-8 octet (byte 0xFF)")
        ) {
            _ = try ConfigLoader.load(bytes: bytes, sourceName: "bytes.yaml")
        }
    }

    @Test("nesting deeper than the limit is an error, not a stack overflow")
    func deepNesting() {
        let depth = 100_000
        let yaml = "x-deep: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        #expect(loadError(yaml) == "test.yaml:1:\(8 + YAMLParser.maximumDepth): nesting deeper than 64 levels")
    }
}

@Suite("PixelError bridge")
struct PixelErrorBridgeTests {
    @Test("pixelError prints exactly like the ConfigError", arguments: ErrorMessageTests.cases.indices)
    func sameText(_ index: Int) throws {
        let yaml = ErrorMessageTests.cases[index].yaml
        do {
            _ = try ConfigLoader.load(yaml: yaml, sourceName: "test.yaml")
            Issue.record("\(ErrorMessageTests.cases[index].what) loaded")
        } catch {
            #expect(error.pixelError.description == error.description)
            guard case let .invalidInput(path, line, _, _) = error.pixelError else {
                Issue.record("expected a file position for \(error)")
                return
            }
            #expect(path == "test.yaml" && line > 0)
        }
    }

    @Test("unreadable files and --set arguments bridge too")
    func otherPlaces() {
        let unreadable = ConfigError.unreadableFile(path: "a.yaml", reason: "Permission denied")
        #expect(unreadable.pixelError == .io(path: "a.yaml", reason: "cannot read config file: Permission denied"))
        #expect(unreadable.pixelError.description == unreadable.description)
        let malformed = ConfigError.malformedOverride(argument: "x")
        #expect(malformed.pixelError.description == malformed.description)
        let override = ConfigError.typeMismatch(
            SourceLocation(source: "--set training.epochs=x"), key: "training.epochs", expected: "an integer",
            found: "\"x\"")
        #expect(override.pixelError.description == override.description)
    }
}
