import Foundation
import PixelCluster
import PixelCore
import Synchronization

/// How the tool runs under `mpirun`/`srun` (see ``Cluster``): rank 0 writes to the terminal and the
/// files; the other ranks are silent (standard output and error go to `/dev/null` unless
/// `PIXELREC_MPI_ALL_OUTPUT=1`) and keep only their error line, which reaches rank 0 through
/// ``Cluster/fail(message:)``. Outside a launcher nothing changes.
enum ClusterRun {
    /// Subcommands that split their work over ranks (and the read-only `config` ones); the others refuse
    /// to run on several ranks (every rank would write the same files).
    static let distributedCommands: Set<[String]> = [
        ["train"], ["eval"], ["recommend"], ["config", "show"], ["config", "check"],
    ]

    /// Starts the cluster (exits 1 with one error line when MPI is announced but unusable) and runs `body`
    /// with this rank's console; then ends the job: a last collective on success, the failure announced
    /// to the other ranks otherwise.
    /// - Returns: the exit code.
    static func run(_ body: (Console) -> Int32) -> Int32 {
        let cluster: Cluster
        do {
            cluster = try Cluster.start()
        } catch {
            Console.standard.error(error.description)
            return 1
        }
        Cluster.install(cluster)
        guard cluster.isDistributed else { return body(.standard) }
        let errors = Mutex<[String]>([])
        var console = Console.standard
        if !cluster.isRoot {
            Progress.defaultStyle = .quiet
            if ProcessInfo.processInfo.environment["PIXELREC_MPI_ALL_OUTPUT"] != "1" { silenceStandardStreams() }
            console = Console(
                output: { _ in },
                error: { text in
                    if text.hasPrefix("error: ") { errors.withLock { $0.append(String(text.dropFirst(7))) } }
                })
        }
        var code = body(console)
        if code == 0 {
            do {
                try cluster.finish()
            } catch {
                console.error(error.description)
                code = 1
            }
        } else {
            let message = errors.withLock { $0.first }?.trimmingCharacters(in: .newlines) ?? "exit code \(code)"
            cluster.fail(message: message)
            try? cluster.finish()
        }
        return code
    }

    /// Points standard output and error at `/dev/null`.
    static func silenceStandardStreams() {
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return }
        dup2(null, STDOUT_FILENO)
        dup2(null, STDERR_FILENO)
        close(null)
    }

    /// `body` on rank 0 first, then — once it has finished (an empty collective) — on the other ranks: for
    /// steps that bring files up to date (feature stores), so that rank 0 writes them and the others
    /// find them current. Alone: `body`.
    static func rootFirst<T>(_ label: String, cluster: Cluster = .world, _ body: () throws -> T) throws -> T {
        guard cluster.isDistributed else { return try body() }
        if cluster.isRoot {
            let result = try body()
            _ = try cluster.allgather([], label: label)
            return result
        }
        _ = try cluster.allgather([], label: label)
        return try body()
    }

    /// - Throws: ``ClusterError/notDistributed(command:)`` for a command that does not split its work,
    ///   on several ranks.
    static func checkDistributable(_ path: [String]) throws(ClusterError) {
        guard Cluster.world.isDistributed, !distributedCommands.contains(path) else { return }
        throw .notDistributed(command: path.joined(separator: " "))
    }
}
