import XCTest

@testable import PixelCluster

final class ClusterTests: XCTestCase {
    func testLauncherSizeFromEachLauncher() {
        XCTAssertNil(Cluster.launcherSize([:]))
        XCTAssertEqual(Cluster.launcherSize(["OMPI_COMM_WORLD_SIZE": "4"]), 4)
        XCTAssertEqual(Cluster.launcherSize(["PMI_SIZE": "8"]), 8)
        XCTAssertEqual(Cluster.launcherSize(["PMIX_RANK": "0", "SLURM_NTASKS": "3"]), 3)
        XCTAssertNil(Cluster.launcherSize(["SLURM_NTASKS": "3"]), "srun without PMIx announces no ranks")
        XCTAssertEqual(Cluster.launcherSize(["OMPI_COMM_WORLD_SIZE": "x"]), 0)
    }

    func testOneRankOrNoLauncherRunsAlone() throws {
        XCTAssertFalse(try Cluster.start(environment: [:]).isDistributed)
        XCTAssertFalse(try Cluster.start(environment: ["OMPI_COMM_WORLD_SIZE": "1"]).isDistributed)
        XCTAssertThrowsError(try Cluster.start(environment: ["OMPI_COMM_WORLD_SIZE": "-2"]))
    }

    func testMissingLibraryIsOneTypedError() {
        let environment = ["OMPI_COMM_WORLD_SIZE": "2", "PIXELREC_MPI_LIBRARY": "/nonexistent/libmpi.so.40"]
        XCTAssertThrowsError(try Cluster.start(environment: environment)) { error in
            guard case ClusterError.unavailable(let reason)? = error as? ClusterError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(reason.contains("/nonexistent/libmpi.so.40"), reason)
        }
    }

    func testAloneAllgatherReturnsThePayload() throws {
        XCTAssertEqual(try Cluster.single.allgather([1, 2, 3], label: "t"), [[1, 2, 3]])
        XCTAssertTrue(Cluster.single.statistics.isEmpty)
    }

    func testBytesRoundTripBitForBit() throws {
        var w = ByteWriter()
        let floats: [Float] = [1.5, -0.0, .infinity, .nan, Float(bitPattern: 0x0000_0001)]
        w.int(-7)
        w.floats(floats)
        w.doubles([.pi])
        w.int32s([Int32.min, 0, Int32.max])
        var r = ByteReader(w.bytes, rank: 3)
        XCTAssertEqual(try r.int(), -7)
        XCTAssertEqual(try r.floats().map(\.bitPattern), floats.map(\.bitPattern))
        XCTAssertEqual(try r.doubles(), [.pi])
        XCTAssertEqual(try r.int32s(), [Int32.min, 0, Int32.max])
        XCTAssertTrue(r.isAtEnd)
    }

    func testMalformedBytesThrowNamingTheRank() {
        var w = ByteWriter()
        w.int(1 << 40)  // a count far beyond the bytes that follow
        var r = ByteReader(w.bytes + [0, 0], rank: 1)
        XCTAssertThrowsError(try r.floats()) { error in
            guard case ClusterError.malformedPayload(let rank, _)? = error as? ClusterError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(rank, 1)
        }
        var short = ByteReader([1, 2, 3], rank: 0)
        XCTAssertThrowsError(try short.int())
        var negative = ByteWriter()
        negative.int(-1)
        var n = ByteReader(negative.bytes, rank: 0)
        XCTAssertThrowsError(try n.int32s())
    }
}

final class InjectedFailureTests: XCTestCase {
    func testParsesOnlyThisRanksWellFormedSetting() {
        XCTAssertEqual(Cluster.injectedFailure("1:shard gradients:3", rank: 1)?.label, "shard gradients")
        XCTAssertEqual(Cluster.injectedFailure("1:shard gradients:3", rank: 1)?.call, 3)
        XCTAssertNil(Cluster.injectedFailure("1:x:3", rank: 0))
        XCTAssertNil(Cluster.injectedFailure("1:x:0", rank: 1))
        XCTAssertNil(Cluster.injectedFailure("1:x", rank: 1))
        XCTAssertNil(Cluster.injectedFailure(nil, rank: 1))
    }
}
