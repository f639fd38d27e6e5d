import Testing

@testable import PixelRecCLI

/// The block-aligned split of the queries over ranks (no MPI needed).
@Suite("MPI: eval parts")
struct EvalPartTests {
    @Test("parts are whole blocks, disjoint, in order, and cover every query")
    func partsCoverQueries() {
        for (count, block, ranks) in [(198, 128, 2), (0, 128, 2), (1000, 128, 3), (100, 128, 4), (1024, 1, 7)] {
            let parts = (0..<ranks).map { DistributedEvaluation.part(rank: $0, of: ranks, count: count, block: block) }
            #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == count)
            for (a, b) in zip(parts, parts.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            for p in parts where p.lowerBound < count { #expect(p.lowerBound % block == 0) }
        }
    }
}
