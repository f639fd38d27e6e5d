import Foundation
import Testing

@testable import PixelEval

@Suite("Content kNN and content similarity")
struct ContentKNNTests {
    /// Items (d = 2): e0 = (1, 0), e1 = (0, 2) → (0, 1), e2 = (3, 4) → (.6, .8), e3 = (1, 1) → (1, 1)/√2, e4 = 0.
    static let embeddings: [Float] = [1, 0, 0, 2, 3, 4, 1, 1, 0, 0]

    @Test(
        "content kNN equals a hand computation (per-user sgemm in blocks, and the precomputed cosines)",
        arguments: [(1, 0), (2, 0), (4096, 0), (4096, 4096)])
    func handComputed(blockItems: Int, denseItemLimit: Int) throws {
        let profiles = sparse([[0, 1, 2], [3], []], columns: 5)
        let scorer = try ContentKNNScorer(
            embeddings: Self.embeddings, dimension: 2, profiles: profiles, k: 2, blockItems: blockItems,
            denseItemLimit: denseItemLimit)
        #expect((scorer.similarity != nil) == (denseItemLimit >= 5))
        let r = Float(0.5).squareRoot()
        // User 0, k = 2 of its three items:
        //   j0: cos to (e0, e1, e2) = (1, 0, .6) → 1.6;     j1: (0, 1, .8) → 1.8;   j2: (.6, .8, 1) → 1.8
        //   j3: (r, r, .6r + .8r = 1.4r) → 2.4r;            j4 (zero vector): 0
        // User 1 (one item, e3): the cosine itself. User 2 (no history): zeros.
        let expected: [Float] = [
            1.6, 1.8, 1.8, 2.4 * r, 0,
            r, r, 1.4 * r, 1, 0,
            0, 0, 0, 0, 0,
        ]
        let ours = ScorerTests.scores(scorer, users: 3)
        for (index, value) in expected.enumerated() {
            #expect(abs(ours[index] - value) < 1e-6, "user \(index / 5) item \(index % 5): \(ours[index]) vs \(value)")
        }
    }

    @Test(
        "content kNN equals a brute-force double computation on random data",
        arguments: [(1, 0), (3, 0), (50, 0), (1, 4096), (3, 4096), (50, 4096)])
    func bruteForce(k: Int, denseItemLimit: Int) throws {
        var random = TestRandom(23)
        let items = 37, d = 6, users = 12
        let e = (0..<(items * d)).map { _ in random.unit() * 2 - 1 }
        let profiles = ScorerTests.randomMatrix(users: users, items: items, density: 0.25, seed: 4)
        let scorer = try ContentKNNScorer(
            embeddings: e, dimension: d, profiles: profiles, k: k, blockItems: 8, denseItemLimit: denseItemLimit)
        let ours = ScorerTests.scores(scorer, users: users)
        func unit(_ i: Int) -> [Double] {
            let v = (0..<d).map { Double(e[i * d + $0]) }
            let n = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            return v.map { $0 / n }
        }
        for u in 0..<users {
            for j in 0..<items {
                let sims = profiles.row(u).map { i in zip(unit(Int(i)), unit(j)).map(*).reduce(0, +) }
                let expected = sims.sorted(by: >).prefix(k).reduce(0, +)
                #expect(abs(Double(ours[u * items + j]) - expected) < 1e-5, "user \(u) item \(j)")
            }
        }
    }

    @Test("top-k sum by quickselect equals sorting, ties included")
    func topSum() {
        var random = TestRandom(9)
        var scratch: [Float] = []
        for trial in 0..<200 {
            let count = 1 + random.int(40)
            let values = (0..<count).map { _ in Float(random.int(trial % 2 == 0 ? 5 : 1000)) / 7 }
            for k in [1, 2, count / 2 + 1, count, count + 3] {
                let ours = values.withUnsafeBufferPointer {
                    ContentKNNScorer.topSum($0.baseAddress!, count: count, k: k, scratch: &scratch)
                }
                let expected = values.map(Double.init).sorted(by: >).prefix(k).reduce(0, +)
                // float32 summation of ≤ 40 terms: relative error ≤ 1e-5; a wrong element is off by ≥ 1/7.
                #expect(abs(Double(ours) - expected) <= 1e-5 * max(1, abs(expected)), "trial \(trial) k \(k)")
            }
        }
    }

    @Test("bad shapes and k are rejected")
    func badInput() {
        let profiles = sparse([[0]], columns: 5)
        #expect(throws: EvalError.self) {
            try ContentKNNScorer(embeddings: [1, 2, 3], dimension: 2, profiles: profiles, k: 2)
        }
        #expect(throws: EvalError.self) {
            try ContentKNNScorer(embeddings: Self.embeddings, dimension: 2, profiles: profiles, k: 0)
        }
    }

    @Test("ILD and serendipity from content embeddings equal a hand computation")
    func contentSimilarityInDiversity() throws {
        // Cosines: (e0, e1) = 0, (e0, e2) = .6, (e1, e2) = .8; e4 is a zero vector (cosine 0 with anything).
        let similarity = try EmbeddingCosine(embeddings: Self.embeddings, dimension: 2, source: "test")
        #expect(abs(similarity.cosine(0, 2) - 0.6) < 1e-6 && abs(similarity.cosine(1, 2) - 0.8) < 1e-6)
        #expect(similarity.cosine(0, 4) == 0)
        // ILD of [0, 1, 2] = ((1 − 0) + (1 − .6) + (1 − .8)) / 3 = 1.6 / 3.
        let ild = BeyondAccuracy.intraListDiversity(list: [0, 1, 2], similarity: similarity)
        #expect(abs((ild ?? -1) - 1.6 / 3) < 1e-6)
        // Serendipity@3 of [0, 1, 2], relevant {2}, history {0, 1}: item 2's mean cosine to the history is
        // (.6 + .8) / 2 = .7, so (1 − .7) / 3 slots = .1.
        let serendipity = BeyondAccuracy.serendipity(
            list: [0, 1, 2], k: 3, relevant: [2], history: [0, 1], similarity: similarity)
        #expect(abs(serendipity - 0.1) < 1e-6)
    }
}
