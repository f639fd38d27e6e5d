import Foundation
import Synchronization

/// How a `Progress` shows itself.
public enum ProgressStyle: Sendable, Equatable {
    /// A redrawn bar with rate and ETA when standard error is a terminal, plain lines otherwise.
    case automatic
    /// Always the redrawn bar.
    case bar
    /// A plain line every `interval` seconds, for logs and pipes.
    case lines(interval: Double)
    /// Nothing but errors (`--quiet`).
    case quiet
}

/// Progress of one long piece of work, shown on standard error.
///
/// Thread-safe: workers on several cores call `advance(by:)`; drawing is throttled (a bar at most
/// every 0.1 s, a plain line every few seconds), so calling it per item costs a lock and a clock read.
///
/// ```swift
/// let progress = Progress("encode", total: items.count, unit: "items")
/// for item in items { …; progress.advance() }
/// progress.finish()   // "encode: 1682 items in 3.1 s (542.6 items/s)"
/// ```
public final class Progress: Sendable {
    /// The style used when none is given; the CLI sets `.quiet` for `--quiet`.
    public static var defaultStyle: ProgressStyle {
        get { defaultStyleStorage.withLock { $0 } }
        set { defaultStyleStorage.withLock { $0 = newValue } }
    }
    private static let defaultStyleStorage = Mutex<ProgressStyle>(.automatic)

    private struct State {
        var done = 0
        var lastDraw = 0.0
        var finished = false
    }

    public let title: String
    public let total: Int?
    public let unit: String
    private let style: ProgressStyle
    private let start: Double
    private let sink: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - title: what is being done, printed first on every line.
    ///   - total: the number of units when known (enables percentage and ETA).
    ///   - unit: the plural name of a unit (`items`, `rows`, `steps`).
    ///   - style: how to show it; `nil` takes `Progress.defaultStyle`.
    ///   - sink: where text goes (standard error by default; tests capture it).
    public init(
        _ title: String, total: Int?, unit: String = "items", style: ProgressStyle? = nil,
        sink: (@Sendable (String) -> Void)? = nil
    ) {
        self.title = title
        self.total = total
        self.unit = unit
        var resolved = style ?? Progress.defaultStyle
        if resolved == .automatic { resolved = Terminal.stderrIsTTY ? .bar : .lines(interval: 5) }
        self.style = resolved
        self.start = Progress.now()
        self.sink = sink ?? { Terminal.writeStderr($0) }
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The number of units done so far.
    public var completed: Int { state.withLock { $0.done } }

    /// Seconds since the progress started.
    public var elapsed: Double { Progress.now() - start }

    /// Records `count` more units done and redraws when it is time to.
    public func advance(by count: Int = 1) {
        let now = Progress.now()
        let line: String? = state.withLock { state in
            state.done += count
            switch style {
            case .quiet:
                return nil
            case .bar, .automatic:
                guard now - state.lastDraw >= 0.1 else { return nil }
                state.lastDraw = now
                return "\r" + barLine(done: state.done, now: now) + "\u{1B}[K"
            case let .lines(interval):
                guard now - state.lastDraw >= interval, now - start >= interval else { return nil }
                state.lastDraw = now
                return plainLine(done: state.done, now: now) + "\n"
            }
        }
        if let line { sink(line) }
    }

    /// Ends the progress and prints one summary line (unless quiet): units, wall time, rate, and
    /// `detail` when given.
    public func finish(_ detail: String? = nil) {
        let now = Progress.now()
        let text: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            if style == .quiet { return nil }
            let seconds = now - start
            var summary = "\(title): \(state.done) \(unit) in \(Progress.formatSeconds(seconds))"
            if seconds > 0 { summary += " (\(Progress.formatRate(Double(state.done) / seconds)) \(unit)/s)" }
            if let detail { summary += ", " + detail }
            let clear = (style == .bar) ? "\r\u{1B}[K" : ""
            return clear + summary + "\n"
        }
        if let text { sink(text) }
    }

    func plainLine(done: Int, now: Double) -> String {
        let seconds = now - start
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var line = "\(title): \(done)"
        if let total, total > 0 {
            line += "/\(total) \(unit) (\(String(format: "%.1f", 100 * Double(done) / Double(total)))%)"
        } else {
            line += " \(unit)"
        }
        line += ", \(Progress.formatRate(rate)) \(unit)/s"
        if let total, rate > 0, done < total {
            line += ", ETA \(Progress.formatSeconds(Double(total - done) / rate))"
        }
        return line
    }

    func barLine(done: Int, now: Double) -> String {
        let seconds = now - start
        let rate = seconds > 0 ? Double(done) / seconds : 0
        guard let total, total > 0 else {
            return "\(title) \(done) \(unit)  \(Progress.formatRate(rate)) \(unit)/s"
        }
        let fraction = min(1, Double(done) / Double(total))
        let width = max(10, min(40, Terminal.width - title.count - 50))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var line = "\(title) \(bar) \(String(format: "%3.0f", fraction * 100))% \(done)/\(total)"
        line += "  \(Progress.formatRate(rate)) \(unit)/s"
        if rate > 0, done < total { line += "  ETA \(Progress.formatSeconds(Double(total - done) / rate))" }
        return line
    }

    /// `0.42 s`, `12.3 s`, `4m05s`, `1h02m`.
    public static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// A rate with three significant figures.
    public static func formatRate(_ rate: Double) -> String {
        if rate >= 100 { return String(format: "%.0f", rate) }
        if rate >= 10 { return String(format: "%.1f", rate) }
        return String(format: "%.2f", rate)
    }
}
