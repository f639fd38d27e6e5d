import PixelConfig

/// A task turned into queries plus the profiles scorers rank from.
public struct TaskSetup: Sendable {
    public let task: EvaluationTask
    public let queries: EvaluationQueries
    /// `users × items`: what each user is known to have interacted with, for models that score from
    /// history (kNN, popularity of the history, a multimodal model's user tower).
    public let profiles: SparseMatrix
    /// Notes for the report (skipped users, what ID models can do, …).
    public let notes: [String]
    /// `cold_user`: the held-out interactions that are each cold user's profile.
    public let coldHistory: Int

    /// Builds the queries of `task` from `data`.
    /// - Parameter coldHistory: `cold_user`: interactions used as each cold user's profile.
    /// - Throws: `EvalError.nothingToEvaluate` when no user qualifies (naming why).
    public init(task: EvaluationTask, data: EvaluationData, coldHistory: Int = 5) throws {
        self.task = task
        self.coldHistory = coldHistory
        var notes: [String] = []
        let warmUsers = data.trainUserCount
        var users: [Int32] = []
        var relevantRows: [Int32] = [], relevantItems: [Int32] = []
        var excludedRows: [Int32] = [], excludedItems: [Int32] = []
        var candidates: [Int32]? = nil
        var profiles = data.train
        func addQuery(user: Int, relevant: some Sequence<Int32>, excluded: some Sequence<Int32>) {
            let q = Int32(users.count)
            users.append(Int32(user))
            for item in relevant {
                relevantRows.append(q)
                relevantItems.append(item)
            }
            for item in excluded {
                excludedRows.append(q)
                excludedItems.append(item)
            }
        }
        switch task {
        case .retrieval, .ranking, .beyondAccuracy, .nextItem:
            if task == .nextItem { profiles = data.train.union(data.validation) }
            var skipped = 0
            for u in 0..<data.userCount where data.test.rowLength(u) > 0 {
                guard u < warmUsers && data.train.rowLength(u) > 0 else {
                    skipped += 1
                    continue
                }
                let excluded: ArraySlice<Int32> = task == .ranking ? [] : profiles.row(u)
                addQuery(user: u, relevant: data.test.row(u), excluded: excluded)
            }
            if skipped > 0 {
                notes.append("\(skipped) test users absent from training skipped (evaluate them with task cold_user)")
            }
            if task == .nextItem {
                let several = users.filter { data.test.rowLength(Int($0)) > 1 }.count
                if several > 0 {
                    notes.append(
                        "next_item: \(several) of \(users.count) test users have more than one held-out interaction "
                            + "(not a leave-one-out split): every test interaction counts as relevant, ranked from "
                            + "the training + validation history")
                }
            }
            if data.itemCount > data.trainItemCount {
                notes.append(
                    "\(data.itemCount - data.trainItemCount) items absent from training are ranked too "
                        + "(ID-based baselines score them 0)")
            }
        case .coldUser:
            var tooShort = 0
            var profileRows: [Int32] = [], profileItems: [Int32] = []
            for u in warmUsers..<data.userCount {
                guard let sequence = data.heldOutSequences[Int32(u)] else { continue }
                guard sequence.count > coldHistory else {
                    tooShort += 1
                    continue
                }
                let history = Set(sequence.prefix(coldHistory))
                let relevant = Set(sequence.dropFirst(coldHistory)).subtracting(history).sorted()
                guard !relevant.isEmpty else { continue }
                for item in history {
                    profileRows.append(Int32(u))
                    profileItems.append(item)
                }
                addQuery(user: u, relevant: relevant, excluded: history)
            }
            profiles = data.train.union(
                SparseMatrix(
                    rowCount: data.userCount, columnCount: data.itemCount, rows: profileRows, columns: profileItems))
            if tooShort > 0 { notes.append("\(tooShort) cold users with ≤ \(coldHistory) interactions skipped") }
            notes.append("cold users are represented by their first \(coldHistory) held-out interactions (time order)")
        case .coldItem:
            let cold = (data.trainItemCount..<data.itemCount).map { Int32($0) }
            candidates = cold
            for u in 0..<data.userCount {
                let relevant = data.test.row(u).filter { Int($0) >= data.trainItemCount }
                guard !relevant.isEmpty else { continue }
                let excluded = data.validation.row(u).filter { Int($0) >= data.trainItemCount }
                addQuery(user: u, relevant: relevant, excluded: excluded)
            }
            notes.append(
                "ranked among the \(cold.count) items absent from training; ID-based baselines (popularity, item_knn, "
                    + "user_knn) give them all the same score and so score 0 under pessimistic ties")
        }
        guard !users.isEmpty else {
            let reason: String
            switch task {
            case .coldUser: reason = "no test user is absent from training with more than \(coldHistory) interactions"
            case .coldItem:
                reason = "no test interaction is with an item absent from training (split items, e.g. strategy item)"
            default: reason = "no test user also has training interactions"
            }
            throw EvalError.nothingToEvaluate(task: task.rawValue, reason: reason)
        }
        let rows = users.count, items = data.itemCount
        let relevant = SparseMatrix(rowCount: rows, columnCount: items, rows: relevantRows, columns: relevantItems)
        let excluded = SparseMatrix(rowCount: rows, columnCount: items, rows: excludedRows, columns: excludedItems)
        self.queries = try EvaluationQueries(
            users: users, relevant: relevant, excluded: excluded, candidates: candidates,
            history: profiles.selectingRows(users))
        self.profiles = profiles
        self.notes = notes
    }
}
