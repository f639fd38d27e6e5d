import Foundation
import Testing

@testable import PixelEval

@Suite("Partial top-k selection vs a full sort")
struct TopKTests {
    /// The reference: a full sort by (score descending, index ascending), finite scores only.
    static func fullSort(_ scores: [Float], k: Int) -> [Int] {
        Array(
            scores.indices.filter { scores[$0].isFinite }
                .sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                .prefix(k))
    }

    static func select(_ scores: [Float], k: Int) -> [Int] {
        var indices = [Int32](repeating: -1, count: k)
        var values = [Float](repeating: 0, count: k)
        let found = scores.withUnsafeBufferPointer { s in
            TopK.select(s.baseAddress!, count: s.count, k: k, indices: &indices, values: &values)
        }
        return indices.prefix(found).map { Int($0) }
    }

    @Test(
        "random rows with ties and masked entries",
        arguments: [(1, 1), (5, 3), (17, 10), (100, 10), (1000, 50), (4099, 20), (3, 10), (64, 64)])
    func matchesFullSort(count: Int, k: Int) {
        var random = TestRandom(UInt64(count * 31 + k))
        for trial in 0..<20 {
            let levels = [2, 5, 1000][trial % 3]
            var scores = (0..<count).map { _ in Float(random.int(levels)) / 4 }
            for _ in 0..<count / 5 { scores[random.int(count)] = -.infinity }
            if trial % 4 == 0 { scores[random.int(count)] = .nan }
            #expect(Self.select(scores, k: k) == Self.fullSort(scores, k: k), "count \(count) k \(k) trial \(trial)")
        }
    }

    @Test("a constant row lists the lowest indices")
    func constant() {
        #expect(Self.select([Float](repeating: 0, count: 100), k: 5) == [0, 1, 2, 3, 4])
    }

    @Test("offer/sortHeap (any arrival order) agrees with the full sort")
    func sparseOffer() {
        var random = TestRandom(7)
        for _ in 0..<50 {
            let count = 1 + random.int(200), k = 1 + random.int(20)
            let scores = (0..<count).map { _ in Float(random.int(6)) }
            var values = [Float](repeating: 0, count: k), indices = [Int32](repeating: 0, count: k)
            var size = 0
            for i in (0..<count).shuffled(using: &random.generator) {
                size = TopK.offer(
                    values: &values, indices: &indices, size: size, k: k, score: scores[i], index: Int32(i))
            }
            TopK.sortHeap(values: &values, indices: &indices, size: size)
            #expect(indices.prefix(size).map { Int($0) } == Self.fullSort(scores, k: k))
        }
    }

    @Test("countAtLeast counts ≥ threshold, never NaN", arguments: [0, 1, 15, 16, 17, 100, 1001])
    func countAtLeast(count: Int) {
        var random = TestRandom(UInt64(count))
        var scores = (0..<count).map { _ in Float(random.int(10)) }
        if count > 3 { scores[2] = .nan }
        for threshold: Float in [-1, 0, 4.5, 9, 10] {
            let expected = scores.filter { $0 >= threshold }.count
            let ours = scores.withUnsafeBufferPointer {
                TopK.countAtLeast($0.baseAddress!, count: count, threshold: threshold)
            }
            #expect(ours == expected)
        }
    }

    @Test("a row fed in pieces: same list, and ties outside the list counted exactly", arguments: [1, 7, 16, 33])
    func streamPieces(piece: Int) {
        var random = TestRandom(UInt64(piece))
        for trial in 0..<40 {
            let count = 1 + random.int(300), k = 1 + random.int(12)
            var scores = (0..<count).map { _ in Float(random.int(trial % 2 == 0 ? 4 : 50)) }
            for _ in 0..<count / 6 { scores[random.int(count)] = -.infinity }
            var values = [Float](repeating: 0, count: k), indices = [Int32](repeating: 0, count: k)
            var stream = TopK.Stream()
            var start = 0
            while start < count {
                let end = min(count, start + piece)
                scores[start..<end].withUnsafeBufferPointer { p in
                    TopK.scan(
                        p.baseAddress!, count: end - start, offset: start, k: k, indices: &indices, values: &values,
                        stream: &stream)
                }
                start = end
            }
            TopK.sortHeap(values: &values, indices: &indices, size: stream.size)
            let expected = Self.fullSort(scores, k: k)
            #expect(indices.prefix(stream.size).map { Int($0) } == expected)
            if stream.size == k {
                let kth = scores[expected[k - 1]]
                let outside = scores.indices.filter { scores[$0] == kth && !expected.contains($0) }.count
                #expect(stream.tiesOutside == outside, "trial \(trial)")
            }
        }
    }
}
