#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock and CPU seconds of the named phases of a run (`pixelrec train`'s summary line), in the
/// order they first ran; a phase that runs several times (one per epoch) accumulates.
///
/// CPU time is the process's (`CLOCK_PROCESS_CPUTIME_ID`), so on a busy machine it still says where
/// the work went.
public struct PhaseTimes: Sendable, Equatable {
    /// One phase's totals.
    public struct Phase: Sendable, Equatable {
        public var name: String
        public var wall: Double
        public var cpu: Double
    }

    public private(set) var phases: [Phase] = []

    public init() {}

    /// Monotonic wall-clock seconds.
    public static func wallSeconds() -> Double { seconds(CLOCK_MONOTONIC) }

    /// CPU seconds of the whole process.
    public static func cpuSeconds() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

    static func seconds(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Adds `wall` and `cpu` seconds to the phase `name`.
    public mutating func add(_ name: String, wall: Double, cpu: Double) {
        if let k = phases.firstIndex(where: { $0.name == name }) {
            phases[k].wall += wall
            phases[k].cpu += cpu
        } else {
            phases.append(Phase(name: name, wall: wall, cpu: cpu))
        }
    }

    /// Runs `body` and adds its time to the phase `name`.
    public mutating func measure<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let wall = Self.wallSeconds(), cpu = Self.cpuSeconds()
        defer { add(name, wall: Self.wallSeconds() - wall, cpu: Self.cpuSeconds() - cpu) }
        return try body()
    }

    /// Appends every phase of `other` (accumulating phases of the same name).
    public mutating func append(_ other: PhaseTimes) {
        for p in other.phases { add(p.name, wall: p.wall, cpu: p.cpu) }
    }

    /// `name wall s (cpu s CPU), …` over the phases, e.g. `content 0.30 s, steps 14.2 s [forward+backward
    /// 12.1 s, optimizer 1.9 s]`: a phase named `parent/child` is listed in its parent's brackets.
    /// CPU is shown when it differs from the wall time by more than 10 % (waiting on I/O or other
    /// processes, or several threads).
    public var summary: String {
        func shown(_ p: Phase, _ name: String) -> String {
            let differs = abs(p.cpu - p.wall) > 0.1 * max(p.wall, 0.01)
            return "\(name) \(Self.format(p.wall))" + (differs ? " (\(Self.format(p.cpu)) CPU)" : "")
        }
        return phases.filter { !$0.name.contains("/") }.map { parent in
            let children = phases.filter { $0.name.hasPrefix(parent.name + "/") }
                .map { shown($0, String($0.name.dropFirst(parent.name.count + 1))) }
            return shown(parent, parent.name) + (children.isEmpty ? "" : " [" + children.joined(separator: ", ") + "]")
        }.joined(separator: ", ")
    }

    static func format(_ s: Double) -> String {
        s >= 10 ? String(format: "%.1f s", s) : String(format: "%.2f s", s)
    }
}
