import PixelCluster
import PixelNN
import PixelTensor

/// Where the `W` data-parallel shards of a training step run: all on this process's `workers` threads,
/// or spread over the `N` ranks of an MPI job, `workers` threads each (`W ≤ N · workers`).
///
/// Rank `r` runs the contiguous shards `⌊r·W/N⌋ ..< ⌊(r+1)·W/N⌋`; ``run(_:label:encode:decode:_:)``
/// then all-gathers every shard's result, so each rank holds all `W` results in shard order, exactly as
/// the threads of one process would. Since `W` is computed from `N · workers` the same way it is from
/// `--threads`, `mpirun -n N` with one thread each runs the same shards as `--threads N`.
struct ShardPlacement {
    let cluster: Cluster
    /// Threads per rank.
    let workers: Int

    /// All shards on this process's `workers` threads.
    static func local(_ workers: Int) -> ShardPlacement { ShardPlacement(cluster: .single, workers: max(1, workers)) }

    /// Shard workers over all ranks.
    var totalWorkers: Int { cluster.size * workers }

    /// `shards` when every rank gets at least one, else 1 (the single-replica step, run whole on every
    /// rank): a rank without a shard would have no batch-norm layers to apply the others' statistics to.
    func usable(_ shards: Int) -> Int { shards >= cluster.size ? shards : 1 }

    /// The shards rank `rank` runs.
    func shards(of rank: Int, count: Int) -> Range<Int> {
        (rank * count / cluster.size)..<((rank + 1) * count / cluster.size)
    }

    /// `body(s)` for every shard `s < count` this rank owns, on its threads, then every rank's results
    /// exchanged: all `count` results in shard order. On one process the results are `body`'s own; on
    /// several ranks every result (this rank's too) is the decoded copy, so all ranks hold the same bits.
    func run<T>(
        _ count: Int, label: String, encode: (T, inout ByteWriter) -> Void,
        decode: (inout ByteReader) throws(ClusterError) -> T, _ body: (Int) -> T
    ) throws(ClusterError) -> [T] {
        let mine = shards(of: cluster.rank, count: count)
        let local = ShardWorkers.run(mine.count) { body(mine.lowerBound + $0) }
        guard cluster.isDistributed else { return local }
        var writer = ByteWriter()
        for result in local { encode(result, &writer) }
        let parts = try cluster.allgather(writer.bytes, label: label)
        var all: [T] = []
        all.reserveCapacity(count)
        for (rank, part) in parts.enumerated() {
            var reader = ByteReader(part, rank: rank)
            for _ in shards(of: rank, count: count) { all.append(try decode(&reader)) }
            guard reader.isAtEnd else { throw reader.fail("\(label): trailing bytes") }
        }
        return all
    }

    /// Like ``run(_:label:encode:decode:_:)`` for results that keep this rank's autograd graph: its own
    /// shards' results are returned as `body` made them (`nil` for the other ranks' shards), and each
    /// shard's `summary` (plain values) is exchanged and returned for every shard.
    func runKeepingGraphs<T, S>(
        _ count: Int, label: String, summary: (T) -> S, encode: (S, inout ByteWriter) -> Void,
        decode: (inout ByteReader) throws(ClusterError) -> S, _ body: (Int) -> T
    ) throws(ClusterError) -> (local: [T?], summaries: [S]) {
        let mine = shards(of: cluster.rank, count: count)
        let results = ShardWorkers.run(mine.count) { body(mine.lowerBound + $0) }
        var local = [T?](repeating: nil, count: count)
        for (k, result) in results.enumerated() { local[mine.lowerBound + k] = result }
        guard cluster.isDistributed else { return (local, results.map(summary)) }
        var writer = ByteWriter()
        for result in results { encode(summary(result), &writer) }
        let parts = try cluster.allgather(writer.bytes, label: label)
        var summaries: [S] = []
        summaries.reserveCapacity(count)
        for (rank, part) in parts.enumerated() {
            var reader = ByteReader(part, rank: rank)
            for _ in shards(of: rank, count: count) { summaries.append(try decode(&reader)) }
            guard reader.isAtEnd else { throw reader.fail("\(label): trailing bytes") }
        }
        return (local, summaries)
    }
}
