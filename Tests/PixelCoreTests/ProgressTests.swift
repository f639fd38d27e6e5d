import Foundation
import Synchronization
import Testing

@testable import PixelCore

/// Collects what a `Progress` writes.
private final class Sink: Sendable {
    let text = Mutex("")
    var value: String { text.withLock { $0 } }
    var write: @Sendable (String) -> Void { { piece in self.text.withLock { $0 += piece } } }
}

@Suite("Progress")
struct ProgressTests {
    @Test("quiet progress prints nothing, not even a summary")
    func quietIsSilent() {
        let sink = Sink()
        let progress = Progress("work", total: 10, style: .quiet, sink: sink.write)
        for _ in 0..<10 { progress.advance() }
        progress.finish()
        #expect(sink.value.isEmpty)
        #expect(progress.completed == 10)
    }

    @Test("plain lines: no line before the interval, one summary at the end")
    func plainLinesSummary() {
        let sink = Sink()
        let progress = Progress("encode", total: 4, unit: "items", style: .lines(interval: 3600), sink: sink.write)
        for _ in 0..<4 { progress.advance() }
        progress.finish("2 skipped")
        let lines = sink.value.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("encode: 4 items in "))
        #expect(lines[0].hasSuffix(", 2 skipped"))
        #expect(lines[0].contains("items/s"))
    }

    @Test("a zero interval prints a line per advance with percentage and ETA")
    func plainLinesEveryStep() throws {
        let sink = Sink()
        let progress = Progress("rows", total: 4, unit: "rows", style: .lines(interval: 0), sink: sink.write)
        progress.advance(by: 1)
        Thread.sleep(forTimeInterval: 0.01)
        progress.advance(by: 1)
        let lines = sink.value.split(separator: "\n")
        let last = try #require(lines.last)
        #expect(last.contains("2/4 rows (50.0%)"))
        #expect(last.contains("ETA"))
    }

    @Test("finish is idempotent")
    func finishOnce() {
        let sink = Sink()
        let progress = Progress("x", total: nil, style: .lines(interval: 3600), sink: sink.write)
        progress.finish()
        progress.finish()
        #expect(sink.value.split(separator: "\n").count == 1)
    }

    @Test("bar lines redraw in place with a carriage return and end with a summary line")
    func barRedraws() {
        let sink = Sink()
        let progress = Progress("train", total: 100, unit: "steps", style: .bar, sink: sink.write)
        progress.advance(by: 50)
        progress.finish()
        #expect(sink.value.hasPrefix("\r"))
        #expect(sink.value.contains(" 50% 50/100"))
        #expect(sink.value.hasSuffix(" steps/s)\n"))
    }

    @Test("advance from many threads counts every unit")
    func concurrentAdvance() {
        let progress = Progress("p", total: 8000, style: .quiet)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1000 { progress.advance() }
        }
        #expect(progress.completed == 8000)
    }

    @Test(
        "durations are formatted for people",
        arguments: [(0.4211, "0.42 s"), (12.34, "12.3 s"), (245.0, "4m05s"), (3720.0, "1h02m")])
    func formatSeconds(seconds: Double, expected: String) {
        #expect(Progress.formatSeconds(seconds) == expected)
    }
}
