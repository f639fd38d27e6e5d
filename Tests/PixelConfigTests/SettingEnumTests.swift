import Foundation
import Testing

@testable import PixelConfig

/// The setting enums in JSON (checkpoint headers): the YAML spelling, and a clear error otherwise.
@Suite("Setting enums in JSON")
struct SettingEnumTests {
    /// Each value of `E` encodes as its YAML spelling (a JSON string) and decodes back to itself.
    private func expectSpelledAsInYAML<E: SettingEnum & Equatable>(_: E.Type) throws {
        let json = try JSONEncoder().encode(Array(E.allCases))
        let expected = "[" + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
        #expect(String(decoding: json, as: UTF8.self) == expected)
        #expect(try JSONDecoder().decode([E].self, from: json) == Array(E.allCases))
    }

    @Test("every configuration enum is its YAML spelling in JSON")
    func spelling() throws {
        try expectSpelledAsInYAML(ModelClass.self)
        try expectSpelledAsInYAML(VisionModel.self)
        try expectSpelledAsInYAML(LanguageModel.self)
        try expectSpelledAsInYAML(Activation.self)
        try expectSpelledAsInYAML(FinalActivation.self)
        try expectSpelledAsInYAML(InitMethod.self)
        try expectSpelledAsInYAML(Scoring.self)
        try expectSpelledAsInYAML(UserEncoder.self)
        try expectSpelledAsInYAML(SequenceWindows.self)
        try expectSpelledAsInYAML(ItemTower.self)
        try expectSpelledAsInYAML(LossFunction.self)
        try expectSpelledAsInYAML(LRScheduler.self)
        try expectSpelledAsInYAML(OptimizerType.self)
        try expectSpelledAsInYAML(CacheStrategy.self)
        try expectSpelledAsInYAML(SplitStrategy.self)
        try expectSpelledAsInYAML(TemporalScope.self)
        try expectSpelledAsInYAML(NegativeSamplingStrategy.self)
        try expectSpelledAsInYAML(NormalizationMethod.self)
        try expectSpelledAsInYAML(AugmentationType.self)
        try expectSpelledAsInYAML(EvaluationTask.self)
        try expectSpelledAsInYAML(RecommenderType.self)
        try expectSpelledAsInYAML(RankingMetric.self)
    }

    private struct Holder: Decodable {
        var scoring: Scoring
    }

    @Test("an unknown name is refused naming the field and the allowed names")
    func unknownName() throws {
        do {
            _ = try JSONDecoder().decode(Holder.self, from: Data(#"{"scoring": "cosine\n"}"#.utf8))
            Issue.record("decoded an unknown scoring")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["scoring"])
            #expect(context.debugDescription == #"'cosine\n' is not one of dot, pairwise"#)
        }
    }

    @Test("a value that is not a string is a type mismatch at the field")
    func notAString() throws {
        do {
            _ = try JSONDecoder().decode(Holder.self, from: Data(#"{"scoring": 2}"#.utf8))
            Issue.record("decoded a number as a scoring")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["scoring"])
        }
    }
}
