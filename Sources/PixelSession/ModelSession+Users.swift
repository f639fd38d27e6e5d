import PixelData
import PixelEval
import PixelModels

extension ModelSession {
    /// The session's training users.
    /// - Throws: ``SessionError/noInteractions`` when the session was loaded without them.
    public func trainedUsers() throws -> SessionUsers {
        guard let users else { throw SessionError.noInteractions }
        return users
    }

    /// Whether `space` is the training users alone (no cold users, no extra histories): its scorer, seen
    /// items and vectors are then the session's own.
    func isTrainedSpace(_ space: RecommendInputs) -> Bool {
        space.userIds.count == model.trainedUsers.count && space.trainedHistory.isEmpty
    }

    /// What each user of `space` has seen: training and validation interactions plus given histories.
    public func seen(for space: RecommendInputs) throws -> SparseMatrix {
        let users = try trainedUsers()
        if isTrainedSpace(space) { return users.seen }
        return RecommendInputs.seenAndPopularity(
            train: users.train, validation: users.validation, inputs: space, catalog: catalog
        ).seen
    }

    /// The scorer of the users of `space` (rows in its order), blended with content kNN over `seen` when
    /// configured; `histories` are the `--history` values `space` was resolved with (sequence models read
    /// them after each training user's own).
    public func scorer(
        for space: RecommendInputs, histories given: [(user: String, items: [Int32])], seen: SparseMatrix
    )
        throws -> any Scorer
    {
        let users = try trainedUsers()
        if isTrainedSpace(space) { return users.scorer }
        let ordered =
            isSequenceModel
            ? try RecommendInputs.orderedHistories(
                train: users.train, validation: users.validation, inputs: space, catalog: catalog, given: given)
            : nil
        return try blended(
            try modelScorer(userIds: space.userIds, profiles: space.coldProfiles, histories: ordered), seen: seen)
    }

    /// The vector of training user `user` (`nil` for a user the model was not trained on).
    public func userVector(user: String) -> [Float]? {
        guard let users, let row = model.trainedUsers.index(of: user) else { return nil }
        let d = model.hyperparameters.embeddingDim
        return Array(users.vectors[Int(row) * d..<(Int(row) + 1) * d])
    }

    /// The vector of a user from `history` (catalog indices, oldest first), the rule of `recommend
    /// --history`: a training user `user` keeps its ID vector in an ID model, and a sequence model reads
    /// `history` after its own interactions; anyone else is a cold user (mean of the history's item vectors,
    /// or the sequence encoder over it).
    public func userVector(history: [Int32], user: String? = nil) -> [Float] {
        let trained = user.flatMap { model.trainedUsers.index(of: $0) } ?? -1
        var items = ArraySlice(history)
        if trained >= 0, let own = users?.histories?[Int(trained)] { items = own + history }
        return model.userVectors(itemVectors: itemVectors, histories: [items], users: [trained])
    }
}

/// Why a session cannot answer.
public enum SessionError: Error, Equatable, CustomStringConvertible {
    /// A user the model was not trained on, asked for without a history.
    case unknownUser(String)
    /// An item that is not in the catalog.
    case unknownItem(String)
    /// A request field out of its range.
    case invalid(field: String, reason: String)
    /// The session was loaded without the interactions (seen items, popularity).
    case noInteractions

    public var description: String {
        switch self {
        case let .unknownUser(user):
            return "unknown user '\(user)' (not a training user of the model; give its history)"
        case let .unknownItem(item): return "unknown item '\(item)' (not in the model's catalog)"
        case let .invalid(field, reason): return "\(field): \(reason)"
        case .noInteractions: return "the session was loaded without interactions (no seen items or popularity)"
        }
    }
}
