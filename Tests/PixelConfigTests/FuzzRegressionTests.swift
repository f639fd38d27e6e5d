import Foundation
import Testing

@testable import PixelConfig

/// Inputs ConfigFuzz found, kept so the bugs stay fixed. Each runs through every entry point the fuzz
/// target uses and must give one-line messages and a config that round-trips.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// crash-c121112c…: a quoted enum value spanning two lines (after a mutation inserted invalid UTF-8)
    /// made an error message of several lines.
    static let crashers: [(name: String, base64: String)] = [
        (
            "crash-c121112ccaeb46fd4778ea75b8e2bc4062b4dd3a",
            "ZGF0YToKICBpbWFnZV9jYWNoZV9jb25maWc6CiAgICBzdHJhdGVneTogJ2h5ICAgICAgICAgICAgICAjIHR3byB0b3dlcnM6IGZ1bGwgfnJhbmtpbmcgb3ZlciA0OEsgaXRlbXMgc3RheXMgb25lIG1hdHJpeCBwcm9kdWN0Cgp0cmFpbmluZzoKICBiYXRjaF9zaXplOiAxMDI0CiAgZXBvY2hzOiAxMAogIGxlYXJuaW5nX3JhdGU6IDAuMDAyICAgICAgICAgICAgIyBsYXJnZXIgYmF0Y2hlcyB0YWtlIGEgbGFyZ2VyIHN0ZXAKICB0aHJlYWRzOiAyCiAgZXZhbF9ldmVyeTogMgogIHBhdGllbmNlOiAzCiAgbG9zczogYnByCgpkYXRhOgogIGl0ZW1faW5mb19wYXRoOiBkYXRhL3Jhdy9QaXhlbDIwMEsvaXRlbV9pbmZvLmNzdgogIGludGVyYWN0aW9uc19wYXRoOiBkYXRhL3Jhdy9QaXhlbDIwMEsvUGl4ZWwyMDBLLmNzdrUKICBpbWFnZV9mb2xkZXI6IGRhdGEvcmF3L1BpeGVsMjAwSy9pbWFnZXMKICBwcm9jZXNzZWRfaXRlbV9pkpmQoI+ei5c6IGRhdGEvcHJvY2Vzc2VkL1BpeGVsMTk5Sy9rdGVtX2luZm8uY3N2CiAgcHJvY2Vzc2VkX2ludGVyYWN0aW9uc19wYXRoOiBkYXRhL3Byb2Nlc3NlZC9QaXhlbDIwMEsvaW50ZXJhY3Rpb25zLmNzdgogIHByb2Nlc3NlZF9pbWFnZWlzawogICAgbWF4X21lbW9yeV9pdGVtczogMTUwMAogICAgY2FjaGVfZGlyZWN0b3J5OiBkYXRhL2NhY2JyaWQnCiAgICBjYWNoZV9kaXJlY3Rvcnk6ICdkYXRhL2NhY2hlL2ltYWdlX3RlbnNvcnMnCiAgcHJvY2Vzc2VkX2ZlYXR1cmVzX2NhY2hlX2NvbmZpZzoKICAgIHN0cmF0ZWd5OiAnaHlicmlkJwogIG9mZmxpbmVfaW1hZ2VfdmFsaWRhdGlvbjoKICAgIGFsbG93ZWRfZXh0ZW5zaW9uczogWycuanBnJywgJy5qcGVnJywgJy5wbmcnXQogIG51bWVyaWNhbF9mZWF0dXJlc19jb2xzOgogICAgLSB2aWV3X251bWJ0cmFpbmluZzoKICBudW1fd29ya2VyczogOAogIGVhcmx5X3N0b3BwaW5nX21ldHJpYzogbmRjZ0AxMAo="
        )
    ]

    @Test("fuzz crashers give one-line messages", arguments: crashers.indices)
    func crasher(_ index: Int) throws {
        let bytes = try #require(Data(base64Encoded: Self.crashers[index].base64))
        try Self.exercise([UInt8](bytes))
    }

    @Test(
        "user text with line breaks is escaped in every message",
        arguments: [
            "training:\n  optimizer_type: \"ad\\nam\\r\"\n",
            "\"trai\\nning\": 1\n",
            "training:\n  \"epo\\nchs\": 1\n  \"epo\\nchs\": 2\n",
            "training: !<tag:x%0Ay> 1\n",
            "x-a: *a\\u2028\n",
        ])
    func escapedUserText(_ yaml: String) throws {
        try Self.exercise(Array(yaml.utf8))
        #expect(loadError(yaml) != nil)
    }

    @Test(
        "--set arguments with line breaks are escaped",
        arguments: [
            "training.epochs\n=3", "x\ny", "data.processed_features_cache_config.a\nb=1",
            "training.optimizer_type=\"a\\nb\"",
        ])
    func escapedOverride(_ argument: String) throws {
        do {
            let loaded = try ConfigLoader.load(path: nil, overrides: [argument])
            #expect(loaded.warnings.allSatisfy { !$0.contains("\n") })
        } catch {
            #expect(!error.description.contains("\n"), "\(error.description)")
            #expect(!error.pixelError.description.contains("\n"))
        }
    }

    /// What ConfigFuzz checks for each input.
    static func exercise(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        for attempt in [
            { try ConfigLoader.load(bytes: bytes, sourceName: "fuzz.yaml") },
            { try ConfigLoader.load(yaml: text, sourceName: "fuzz.yaml") },
            { try ConfigLoader.load(path: nil, overrides: [text]) },
        ] {
            do {
                let loaded = try attempt()
                #expect(loaded.warnings.allSatisfy { !$0.contains("\n") })
                let again = try ConfigLoader.load(yaml: loaded.config.yamlText(), sourceName: "again.yaml")
                #expect(again.config == loaded.config)
            } catch let error as ConfigError {
                #expect(!error.description.contains("\n"), "\(error.description)")
            }
        }
    }
}
