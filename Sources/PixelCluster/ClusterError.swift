/// Why a multi-process (MPI) run cannot go on. The CLI prints each as one line (from rank 0) and exits 1.
public enum ClusterError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The environment says this process is one of several ranks, but MPI could not be loaded or started.
    case unavailable(reason: String)
    /// An MPI call returned an error code.
    case call(name: String, code: Int32)
    /// Another rank stopped with an error; its message.
    case rankFailed(rank: Int, message: String)
    /// A collective's payload does not fit MPI's `int` counts (more than 2³¹ − 1 bytes in all).
    case payloadTooLarge(bytes: Int)
    /// A rank's payload could not be decoded (ranks disagree on what they exchange).
    case malformedPayload(rank: Int, reason: String)
    /// The failure `PIXELREC_MPI_FAIL` asked for (tests of a failing rank).
    case injected(rank: Int, label: String)
    /// A command that does not split its work over ranks was started under `mpirun`/`srun` with several ranks.
    case notDistributed(command: String)

    public var description: String {
        switch self {
        case let .unavailable(reason): return "MPI: \(reason)"
        case let .call(name, code): return "MPI: \(name) failed with code \(code)"
        case let .rankFailed(rank, message): return "rank \(rank): \(message)"
        case let .payloadTooLarge(bytes):
            return "MPI: a collective of \(bytes) bytes exceeds MPI's 2147483647-byte count limit"
        case let .malformedPayload(rank, reason): return "MPI: rank \(rank) sent a malformed payload (\(reason))"
        case let .injected(_, label): return "failure injected at '\(label)' (PIXELREC_MPI_FAIL)"
        case let .notDistributed(command):
            return "'pixelrec \(command)' does not split its work over MPI ranks; run it without mpirun/srun"
        }
    }
}
