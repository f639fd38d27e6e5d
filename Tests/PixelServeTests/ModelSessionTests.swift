import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelModels
import PixelSession
import Testing

/// `ModelSession`: what it loads once matches the checkpoint read afresh, and it answers the same from
/// many threads at once.
@Suite("ModelSession")
struct ModelSessionTests {
    var fixture: ServeFixture { get throws { try ServeFixture.shared.get() } }

    @Test("item vectors equal the model's item tower run afresh from the checkpoint file")
    func itemVectorsMatchAFreshModel() throws {
        let session = try fixture.session
        let config = try ConfigLoader.load(path: try fixture.config).config
        let checkpoint = try Checkpoint.read(from: session.checkpointPath)
        let content = try ModelInputs.content(
            config, table: try ModelInputs.itemTable(config), itemIds: session.catalog,
            scalers: checkpoint.header.scalers, textTop: checkpoint.header.hyperparameters.textTop)
        let fresh = try MultimodalScoring.itemVectors(
            checkpoint: checkpoint, path: session.checkpointPath, itemIds: session.catalog, content: content)
        #expect(fresh == session.itemVectors)
        #expect(session.catalog.keys == (try checkpoint.idMaps()).items.keys)
    }

    @Test("userVector(user:) is the row of the training users' scorer; an unknown user has none")
    func userVectors() throws {
        let session = try fixture.session
        let users = try session.trainedUsers()
        let d = session.model.hyperparameters.embeddingDim
        for row in [0, 5, session.model.trainedUsers.count - 1] {
            let user = session.model.trainedUsers.key(Int32(row))
            #expect(session.userVector(user: user) == Array(users.vectors[row * d..<(row + 1) * d]))
        }
        #expect(session.userVector(user: "nobody") == nil)
        // The scorer's scores are the dot products of those vectors with the item vectors.
        let scores = try #require(
            session.recommend(RecommendationQuery(user: session.model.trainedUsers.key(2), topK: 3, includeSeen: true))
                .items.first)
        let vector = try #require(session.userVector(user: session.model.trainedUsers.key(2)))
        let item = Int(try #require(session.catalog.index(of: scores.itemId)))
        var dot: Double = 0
        for c in 0..<d { dot += Double(vector[c]) * Double(session.itemVectors[item * d + c]) }
        #expect(abs(session.shown(Float(dot)) - scores.score) < 1e-4)
    }

    @Test("recommend from 8 threads at once answers exactly as one at a time")
    func concurrentRecommend() throws {
        let session = try fixture.session
        let queries = (0..<32).map { n in
            RecommendationQuery(
                user: session.model.trainedUsers.key(Int32(n % session.model.trainedUsers.count)), topK: 5 + n % 4,
                diversity: n % 3 == 0 ? 0.3 : nil)
        }
        let sequential = try queries.map { try session.recommend($0) }
        let results = Results(count: queries.count)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for (n, query) in queries.enumerated() where n % 8 == worker {
                results.set(n, try? session.recommend(query))
            }
        }
        #expect(results.values == sequential.map { Optional($0) })
    }

    @Test("bad queries are typed errors naming the user, item or field")
    func badQueries() throws {
        let session = try fixture.session
        #expect(throws: SessionError.unknownUser("nobody")) {
            try session.recommend(RecommendationQuery(user: "nobody"))
        }
        #expect(throws: SessionError.unknownItem("nope")) {
            try session.recommend(RecommendationQuery(history: ["nope"]))
        }
        #expect(throws: SessionError.self) { try session.recommend(RecommendationQuery(user: "u1", topK: 0)) }
        #expect(throws: SessionError.self) { try session.recommend(RecommendationQuery()) }
    }
}

/// Answers written from several threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RecommendationAnswer?]
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: RecommendationAnswer?) {
        lock.lock()
        stored[index] = value
        lock.unlock()
    }
    var values: [RecommendationAnswer?] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
