import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelModels

/// One user's recommendation request, with the settings of `pixelrec recommend` (each absent one takes
/// the configuration's `recommendation:` value).
public struct RecommendationQuery: Sendable, Equatable {
    /// A user id: a training user, or with ``history`` any id (a cold user).
    public var user: String?
    /// Item ids the user interacted with, oldest first (the rule of `recommend --history`).
    public var history: [String]?
    /// List length (`recommendation.top_k`).
    public var topK: Int?
    /// Only these items (unknown ids are ignored and reported).
    public var allow: [String]?
    /// Never these items (unknown ids are ignored and reported).
    public var deny: [String]
    /// MMR diversity weight `w ∈ [0, 1]`; giving it (or ``novelty``) turns diversity re-ranking on.
    public var diversity: Double?
    /// Novelty weight `ν ∈ [0, 1]` of the re-ranking's relevance.
    public var novelty: Double?
    /// Allow items the user has already interacted with.
    public var includeSeen: Bool

    public init(
        user: String? = nil, history: [String]? = nil, topK: Int? = nil, allow: [String]? = nil, deny: [String] = [],
        diversity: Double? = nil, novelty: Double? = nil, includeSeen: Bool = false
    ) {
        self.user = user
        self.history = history
        self.topK = topK
        self.allow = allow
        self.deny = deny
        self.diversity = diversity
        self.novelty = novelty
        self.includeSeen = includeSeen
    }
}

/// A recommendation list: items best first, with the scores `recommend` prints.
public struct RecommendationAnswer: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let itemId: String
        /// The model score through `model.final_activation` (σ for `sigmoid`).
        public let score: Double
        public let rank: Int
        public let title: String?
    }

    public let userId: String?
    /// The user is not a training user (its vector came from the history).
    public let cold: Bool
    public let items: [Item]
    /// Allow/deny ids that are not in the catalog (ignored).
    public let ignoredItems: [String]
}

extension ModelSession {
    /// The list of `query`, as `pixelrec recommend` builds it for the same user and settings.
    /// - Throws: ``SessionError`` for an unknown user without history, an unknown history item, settings
    ///   out of range; ``SessionError/noInteractions`` when loaded without interactions.
    public func recommend(_ query: RecommendationQuery) throws -> RecommendationAnswer {
        let users = try trainedUsers()
        let r = config.recommendation
        let topK = query.topK ?? r.topK
        guard topK >= 1 else { throw SessionError.invalid(field: "k", reason: "must be at least 1, got \(topK)") }
        let useDiversity = query.diversity != nil || query.novelty != nil || r.useDiversity
        let diversityWeight = query.diversity ?? r.diversityWeight
        let noveltyWeight = query.novelty ?? r.noveltyWeight
        for (name, value) in [("diversity", diversityWeight), ("novelty", noveltyWeight)] {
            guard value >= 0 && value <= 1 else {
                throw SessionError.invalid(field: name, reason: "must be in [0, 1], got \(value)")
            }
        }
        let filterSeen = r.filterSeen && !query.includeSeen

        // The user: a training user's row of the session's scorer, or a one-user scorer from the history.
        let scorer: any Scorer
        let seen: SparseMatrix
        let row: Int32
        let cold: Bool
        if let history = query.history {
            guard !history.isEmpty else { throw SessionError.invalid(field: "history", reason: "names no items") }
            var items: [Int32] = []
            for id in history {
                guard let index = catalog.index(of: id) else { throw SessionError.unknownItem(id) }
                items.append(index)
            }
            let trained = query.user.flatMap { model.trainedUsers.index(of: $0) }
            cold = trained == nil
            let seenItems = (trained.map { Array(users.seen.row(Int($0))) } ?? []) + items
            seen = SparseMatrix(
                rowCount: 1, columnCount: catalog.count, rows: seenItems.map { _ in 0 }, columns: seenItems)
            let vector = userVector(history: items, user: query.user)
            let modelScorer = try model.scorer(
                userVectors: vector, itemVectors: itemVectors, content: content, modelItems: modelItems,
                maxCandidates: r.maxCandidates,
                description: MultimodalScoring.description(
                    model.hyperparameters, coldUsers: cold ? 1 : 0, coldItems: modelItems.filter { $0 < 0 }.count))
            scorer = try blended(modelScorer, seen: seen)
            row = 0
        } else {
            guard let user = query.user else {
                throw SessionError.invalid(field: "user_id", reason: "give a user id or a history")
            }
            guard let trained = model.trainedUsers.index(of: user) else { throw SessionError.unknownUser(user) }
            scorer = users.scorer
            seen = users.seen
            row = trained
            cold = false
        }

        var ignored: [String] = []
        let excluded = RecommendInputs.excludedItems(
            allow: query.allow.map { ItemIdList(ids: $0, source: "allow") },
            deny: query.deny.isEmpty ? nil : ItemIdList(ids: query.deny, source: "deny"),
            noveltyFilter: r.noveltyFilterPercent, popularity: users.popularity, catalog: catalog,
            warn: { _ in }, unknown: { ignored.append($0) })
        let candidates = max(topK, min(max(r.maxCandidates, topK), catalog.count))
        let diversity =
            useDiversity
            ? DiversitySettings(
                diversityWeight: diversityWeight, noveltyWeight: noveltyWeight, candidates: candidates,
                embeddings: similarityEmbeddings, normalizedNovelty: users.popularity.normalizedNovelty)
            : nil
        let request = RecommendationRequest(
            users: [row], topK: topK, seen: filterSeen ? seen : nil, excluded: excluded, diversity: diversity,
            workers: 1)
        let lists = try RecommendationEngine.recommend(scorer: scorer, request: request)
        let items = zip(lists.list(0), lists.scores(0)).enumerated().map { rank, pair in
            RecommendationAnswer.Item(
                itemId: catalog.key(pair.0), score: shown(pair.1), rank: rank + 1, title: titles[Int(pair.0)])
        }
        return RecommendationAnswer(userId: query.user, cold: cold, items: items, ignoredItems: ignored)
    }

    /// A model score as printed: `σ(s) = 1 / (1 + e^(−s))` under `final_activation: sigmoid`, else `s`.
    public func shown(_ score: Float) -> Double {
        let s = Double(score)
        return model.hyperparameters.finalActivation == .sigmoid ? 1 / (1 + exp(-s)) : s
    }
}
