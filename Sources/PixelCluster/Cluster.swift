import CPixelMPI
import Foundation
import Synchronization

/// The processes of one run: this process alone (`size` 1, no MPI), or the ranks `mpirun`/`srun` started,
/// talking through MPI loaded at run time (`CPixelMPI`).
///
/// Every collective is two MPI calls: an `MPI_Allgather` of a 16-byte header per rank (status, payload
/// length), then an `MPI_Allgatherv` of the payloads. A rank that failed sends status 1 and its error
/// message instead of a payload (``fail(message:)``), whichever collective the others are in; every rank
/// then throws ``ClusterError/rankFailed(rank:message:)`` of the lowest failed rank, so a job never hangs
/// on a rank that stopped with an error and rank 0 prints one line.
public final class Cluster: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Whether the collectives go through MPI (`size` > 1).
    private let usesMPI: Bool
    private let state = Mutex(State())

    struct State {
        /// A failure was exchanged: no further collective may start (the failed ranks have left).
        var broken = false
        var statistics: [String: CollectiveStatistics] = [:]
    }

    /// What the collectives of one label cost on this rank.
    public struct CollectiveStatistics: Sendable, Equatable {
        public var calls = 0
        /// Payload bytes this rank sent (its part of each allgather).
        public var bytesSent = 0
        /// Payload bytes this rank received from the others.
        public var bytesReceived = 0
        /// Wall seconds inside the collectives (waiting for the slowest rank included).
        public var seconds = 0.0
    }

    /// A failure to simulate (tests): this rank throws instead of joining its `call`-th collective of
    /// `label` (`PIXELREC_MPI_FAIL=rank:label:call`, call 1-based).
    private let injectedFailure: (label: String, call: Int)?

    init(rank: Int, size: Int, usesMPI: Bool, injectedFailure: (label: String, call: Int)? = nil) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
        self.injectedFailure = injectedFailure
    }

    /// `PIXELREC_MPI_FAIL=rank:label:call` parsed for `rank`; `nil` when unset, malformed or another rank's.
    static func injectedFailure(_ setting: String?, rank: Int) -> (label: String, call: Int)? {
        guard let parts = setting?.split(separator: ":", omittingEmptySubsequences: false), parts.count == 3,
            Int(parts[0]) == rank, let call = Int(parts[2]), call >= 1
        else { return nil }
        return (String(parts[1]), call)
    }

    /// This process alone.
    public static let single = Cluster(rank: 0, size: 1, usesMPI: false)

    public var isRoot: Bool { rank == 0 }
    public var isDistributed: Bool { size > 1 }

    private static let installed = Mutex<Cluster?>(nil)

    /// The process's cluster: the one ``install(_:)`` set (the executable, at start), else ``single``.
    public static var world: Cluster { installed.withLock { $0 } ?? .single }

    /// Makes `cluster` the process's ``world``.
    public static func install(_ cluster: Cluster) { installed.withLock { $0 = cluster } }

    /// The number of ranks the launcher announces in `environment`: Open MPI's `mpirun`
    /// (`OMPI_COMM_WORLD_SIZE`), Slurm's `srun` (`PMI_SIZE`, or `SLURM_NTASKS` with `PMIX_RANK`);
    /// `nil` outside a launcher.
    public static func launcherSize(_ environment: [String: String]) -> Int? {
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            if let value = environment[key] { return Int(value) ?? 0 }
        }
        if environment["PMIX_RANK"] != nil, let tasks = environment["SLURM_NTASKS"] { return Int(tasks) ?? 0 }
        return nil
    }

    /// The cluster this process belongs to: ``single`` outside a launcher or with one rank; else MPI is
    /// loaded (`PIXELREC_MPI_LIBRARY`, default `libmpi.so.40`) and initialized.
    /// - Throws: ``ClusterError/unavailable(reason:)`` when several ranks are announced but MPI cannot start.
    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ClusterError) -> Cluster
    {
        guard let announced = launcherSize(environment) else { return .single }
        guard announced >= 1 else { throw .unavailable(reason: "the launcher's rank count is not a positive number") }
        if announced == 1 { return .single }
        var message = [CChar](repeating: 0, count: 512)
        let library = environment["PIXELREC_MPI_LIBRARY"]
        let loaded = message.withUnsafeMutableBufferPointer { buffer in
            pixel_mpi_load(library, buffer.baseAddress, buffer.count)
        }
        guard loaded == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unavailable(reason: reason + " (install openmpi-bin and libopenmpi-dev)")
        }
        try check("MPI_Init", pixel_mpi_init())
        var rank: Int32 = 0, size: Int32 = 0
        try check("MPI_Comm_rank", pixel_mpi_rank(&rank))
        try check("MPI_Comm_size", pixel_mpi_size(&size))
        return Cluster(
            rank: Int(rank), size: Int(size), usesMPI: true,
            injectedFailure: injectedFailure(environment["PIXELREC_MPI_FAIL"], rank: Int(rank)))
    }

    private static func check(_ name: String, _ code: Int32) throws(ClusterError) {
        guard code == 0 else { throw .call(name: name, code: code) }
    }

    /// Every rank's `payload`, in rank order (this rank's included). `label` groups the cost in ``statistics``.
    /// - Throws: ``ClusterError/rankFailed(rank:message:)`` when a rank sent a failure instead.
    public func allgather(_ payload: [UInt8], label: String) throws(ClusterError) -> [[UInt8]] {
        guard usesMPI else { return [payload] }
        if let injectedFailure, injectedFailure.label == label,
            (statistics[label]?.calls ?? 0) + 1 == injectedFailure.call
        {
            throw .injected(rank: rank, label: label)
        }
        let started = pixel_mpi_wtime()
        let (statuses, parts) = try exchange(status: 0, payload)
        if let failed = statuses.firstIndex(where: { $0 != 0 }) {
            state.withLock { $0.broken = true }
            throw .rankFailed(rank: failed, message: String(decoding: parts[failed], as: UTF8.self))
        }
        let received = parts.enumerated().reduce(0) { $0 + ($1.offset == rank ? 0 : $1.element.count) }
        let seconds = pixel_mpi_wtime() - started
        state.withLock {
            $0.statistics[label, default: .init()].calls += 1
            $0.statistics[label, default: .init()].bytesSent += payload.count
            $0.statistics[label, default: .init()].bytesReceived += received
            $0.statistics[label, default: .init()].seconds += seconds
        }
        return parts
    }

    /// Tells the other ranks this one failed with `message` (at whatever collective they are in) and
    /// marks the cluster broken. Nothing when alone or already broken.
    public func fail(message: String) {
        guard usesMPI, !state.withLock({ $0.broken }) else { return }
        state.withLock { $0.broken = true }
        _ = try? exchange(status: 1, Array(message.utf8))
    }

    /// Ends the run: a last collective (so a rank that failed after the others' last exchange is still
    /// seen), then `MPI_Finalize`. After a failure only `MPI_Finalize`.
    public func finish() throws(ClusterError) {
        guard usesMPI else { return }
        defer { _ = pixel_mpi_finalize() }
        if !state.withLock({ $0.broken }) { _ = try allgather([], label: "finish") }
    }

    /// One line per collective label: calls, bytes this rank sent and received per call, milliseconds
    /// per call, and per training step when `steps` > 0 (e.g. `shard gradients: 14 calls, 412.0 KiB sent
    /// + 412.0 KiB received per call, 3.1 ms per call`).
    public func summary(steps: Int = 0) -> [String] {
        statistics.sorted { $0.key < $1.key }.map { label, s in
            let calls = Double(max(1, s.calls))
            func kib(_ bytes: Int) -> String { String(format: "%.1f KiB", Double(bytes) / calls / 1024) }
            var line = "\(label): \(s.calls) calls, \(kib(s.bytesSent)) sent + \(kib(s.bytesReceived)) received"
            line += String(format: " per call, %.2f ms per call", s.seconds / calls * 1000)
            if steps > 0 {
                line += String(
                    format: ", %.1f KiB and %.2f ms per step",
                    Double(s.bytesSent + s.bytesReceived) / 1024 / Double(steps),
                    s.seconds / Double(steps) * 1000)
            }
            return line
        }
    }

    /// The cost of the collectives so far, by label.
    public var statistics: [String: CollectiveStatistics] { state.withLock { $0.statistics } }

    /// Header allgather, then the payloads' allgatherv.
    private func exchange(status: Int64, _ payload: [UInt8]) throws(ClusterError) -> ([Int64], [[UInt8]]) {
        guard payload.count <= Int(Int32.max) else { throw .payloadTooLarge(bytes: payload.count) }
        let header: [Int64] = [status, Int64(payload.count)]
        var headers = [Int64](repeating: 0, count: 2 * size)
        let code = header.withUnsafeBytes { h in
            headers.withUnsafeMutableBytes { out in pixel_mpi_allgather_bytes(h.baseAddress, 16, out.baseAddress) }
        }
        try Self.check("MPI_Allgather", code)
        let statuses = (0..<size).map { headers[2 * $0] }
        let lengths = (0..<size).map { Int(headers[2 * $0 + 1]) }
        let total = lengths.reduce(0) { $0 &+ max(0, $1) }
        guard lengths.allSatisfy({ $0 >= 0 }), total <= Int(Int32.max) else { throw .payloadTooLarge(bytes: total) }
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<size { displacements[r] = displacements[r - 1] + Int32(lengths[r - 1]) }
        let counts = lengths.map { Int32($0) }
        var received = [UInt8](repeating: 0, count: max(1, total))
        let gathered = payload.withUnsafeBytes { p in
            received.withUnsafeMutableBytes { out in
                pixel_mpi_allgatherv_bytes(
                    p.baseAddress, Int32(payload.count), out.baseAddress, counts, displacements)
            }
        }
        try Self.check("MPI_Allgatherv", gathered)
        let parts = (0..<size).map { r in
            Array(received[Int(displacements[r])..<(Int(displacements[r]) + lengths[r])])
        }
        return (statuses, parts)
    }
}
