import Testing

@testable import PixelConfig

@Suite("YAML features")
struct YAMLFeatureTests {
    @Test("anchors, aliases and merge keys")
    func anchorsAndMerges() throws {
        let yaml = """
            x-dims: &dims [256, 64]
            x-fast: &fast
              learning_rate: 0.01
              epochs: 5
            x-small: &small
              batch_size: 16
              epochs: 7
            model:
              fusion_hidden_dims: *dims
              embedding_dim: &dim 64
              projection_hidden_dim: *dim
            training:
              <<: [*fast, *small]
              epochs: 9
            """
        let config = try ConfigLoader.load(yaml: yaml, sourceName: "a.yaml").config
        #expect(config.model.fusionHiddenDims == [256, 64])
        #expect(config.model.projectionHiddenDim == 64)
        #expect(config.training.learningRate == 0.01)
        #expect(config.training.batchSize == 16)
        #expect(config.training.epochs == 9)  // written keys win over merged ones
    }

    @Test("merging nothing (null or an empty list) changes nothing")
    func emptyMerges() throws {
        let yaml = "training:\n  <<: []\n  epochs: 2\nmodel:\n  <<: null\n  embedding_dim: 64\n"
        let config = try ConfigLoader.load(yaml: yaml, sourceName: "m.yaml").config
        #expect(config.training.epochs == 2)
        #expect(config.model.embeddingDim == 64)
        #expect(
            loadError("training:\n  <<: [{epochs: 2}, 3]\n")
                == "test.yaml:2:21: a merge key '<<' takes a mapping or a list of mappings, got \"3\"")
    }

    @Test("a merged mapping with an error points at the merged key")
    func mergedError() {
        let yaml = "x-bad: &bad\n  epochs: many\ntraining:\n  <<: *bad\n"
        #expect(loadError(yaml) == "test.yaml:2:11: training.epochs: expected an integer, got \"many\"")
    }

    @Test("alias chains do not blow up (billion laughs)")
    func billionLaughs() throws {
        var yaml = "x-a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1...30 {
            let previous = "*a\(level - 1)"
            yaml += "x-a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        yaml += "evaluation:\n  k_values: *a30\n"
        #expect(loadError(yaml) == "test.yaml:31:14: evaluation.k_values[0]: expected an integer, got a list")
    }

    @Test("flow mappings, block scalars and explicit tags")
    func otherSyntax() throws {
        let yaml = """
            training: {epochs: 3, batch_size: !!int 8}
            data:
              processed_dir: !!str 2024
              item_info_path: >-
                data/raw/
                items.csv
            checkpoint_dir: |-
              ckpt
            """
        let config = try ConfigLoader.load(yaml: yaml, sourceName: "t.yaml").config
        #expect(config.training.epochs == 3)
        #expect(config.training.batchSize == 8)
        #expect(config.data.processedDir == "2024")
        #expect(config.data.itemInfoPath == "data/raw/ items.csv")
        #expect(config.checkpointDir == "ckpt")
    }

    @Test("UTF-16 with a byte-order mark and UTF-8 with a BOM")
    func encodings() throws {
        let text = "training:\n  epochs: 3\n"
        var utf16 = [UInt8]([0xFF, 0xFE])
        for unit in text.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try ConfigLoader.load(bytes: utf16, sourceName: "u16.yaml").config.training.epochs == 3)
        let bom = [UInt8]([0xEF, 0xBB, 0xBF]) + Array(text.utf8)
        #expect(try ConfigLoader.load(bytes: bom, sourceName: "bom.yaml").config.training.epochs == 3)
    }

    @Test("tabs after a value and inside quoted text are fine")
    func tabsOutsideIndentation() throws {
        let yaml = "training:\n  epochs: 3\t# tab before comment\ndata:\n  processed_dir: \"a\tb\"\n"
        let config = try ConfigLoader.load(yaml: yaml, sourceName: "t.yaml").config
        #expect(config.training.epochs == 3)
        #expect(config.data.processedDir == "a\tb")
    }

    @Test(
        "integer and number reading",
        arguments: [
            ("42", YAMLScalar.IntegerReading.value(42)), ("-7", .value(-7)), ("+3", .value(3)), ("1_000", .value(1000)),
            ("0x1F", .value(31)), ("0o17", .value(15)), ("9223372036854775807", .value(.max)),
            ("-9223372036854775808", .value(.min)), ("9223372036854775808", .tooLarge), ("1.0", .notAnInteger),
            ("", .notAnInteger), ("_1", .notAnInteger), ("0x", .notAnInteger), ("1e3", .notAnInteger),
        ])
    func integers(_ text: String, _ expected: YAMLScalar.IntegerReading) {
        #expect(YAMLScalar.integer(text) == expected)
    }

    @Test(
        "numbers",
        arguments: [
            ("0.001", 0.001), ("1e-6", 1e-6), ("1.0e-06", 1e-6), (".5", 0.5), ("-1.5E+3", -1500), ("5.", 5), ("3", 3),
        ])
    func numbers(_ text: String, _ expected: Double) {
        #expect(YAMLScalar.double(text) == expected)
    }

    @Test("not numbers", arguments: ["fast", ".", "e5", "1e", "1.2.3", "0x1p3", "nan", "inf", "-.nan", "1 2"])
    func notNumbers(_ text: String) {
        #expect(YAMLScalar.double(text) == nil)
    }

    @Test(
        "edit distance",
        arguments: [
            ("traning", "training", 1), ("lerning_rate", "learning_rate", 1), ("epcohs", "epochs", 1), ("", "abc", 3),
            ("kitten", "sitting", 3),
        ])
    func distance(_ a: String, _ b: String, _ expected: Int) {
        #expect(EditDistance.distance(a, b) == expected)
    }
}
