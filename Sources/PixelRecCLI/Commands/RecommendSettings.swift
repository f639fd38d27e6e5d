import Foundation
import PixelArguments
import PixelConfig
import PixelCore

/// The effective `pixelrec recommend` settings: the `recommendation:` section with the command-line
/// overrides applied and checked.
struct RecommendSettings {
    var topK: Int
    var useDiversity: Bool
    var diversityWeight: Double
    var noveltyWeight: Double
    var noveltyFilter: Double
    var maxCandidates: Int
    var filterSeen: Bool
    var includeNewItems: Bool
    var allowList: String?
    var denyList: String?
    var evaluate: String?
    var seed: UInt64
    var output: String
    var workers: Int

    /// - Throws: `PixelError.invalidValue` naming the option for out-of-range weights, `UsageError` for
    ///   an output that is neither `.json` nor `.csv`.
    init(_ invocation: Invocation, config: PixelRecConfig) throws {
        let r = config.recommendation
        topK = invocation.int("top-k") ?? r.topK
        useDiversity = invocation.flag("use-diversity") || r.useDiversity
        diversityWeight = invocation.double("diversity-weight") ?? r.diversityWeight
        noveltyWeight = invocation.double("novelty-weight") ?? r.noveltyWeight
        noveltyFilter = invocation.double("novelty-filter") ?? r.noveltyFilterPercent
        maxCandidates = max(invocation.int("max-candidates") ?? r.maxCandidates, topK)
        filterSeen = r.filterSeen && !invocation.flag("include-seen")
        includeNewItems = r.includeNewItems || invocation.flag("include-new-items")
        allowList = invocation.string("allow-list")
        denyList = invocation.string("deny-list")
        evaluate = invocation.string("evaluate")
        seed = UInt64(truncatingIfNeeded: invocation.int("seed") ?? config.training.seed)
        output = invocation.string("output") ?? config.resultsDir + "/recommendations.json"
        workers = ProcessInfo.processInfo.activeProcessorCount
        for (name, value) in [("--diversity-weight", diversityWeight), ("--novelty-weight", noveltyWeight)] {
            guard value >= 0 && value <= 1 else {
                throw PixelError.invalidValue(setting: name, reason: "must be in [0, 1], got \(value)")
            }
        }
        guard noveltyFilter >= 0 && noveltyFilter < 100 else {
            throw PixelError.invalidValue(
                setting: "--novelty-filter", reason: "must be in [0, 100), got \(noveltyFilter)")
        }
        guard format != nil else {
            throw UsageError("--output: the file name must end in .json or .csv (got '\(output)')")
        }
    }

    enum Format { case json, csv }

    var format: Format? {
        let lower = output.lowercased()
        return lower.hasSuffix(".json") ? .json : lower.hasSuffix(".csv") ? .csv : nil
    }

    /// MMR's `λ = 1 − diversity_weight`.
    var lambda: Double { 1 - diversityWeight }
}
