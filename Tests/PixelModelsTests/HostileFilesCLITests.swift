import Foundation
import Testing

@testable import PixelModels

/// A trained model on generated data (synth → split → train, 1 epoch), shared by the hostile-file tests.
private let trainedFixture = Result { () throws -> SynthFixture in
    let fixture = try SynthFixture(users: 40, items: 30, interactions: 600)
    let train = runTool(["train", "--config", fixture.config, "-q", "--set", "training.epochs=1"])
    guard train.status == 0 else { throw FixtureError(message: train.error) }
    return fixture
}

/// FNV-1a 64 of a file's bytes (nil when absent).
func fileHash(_ path: String) -> UInt64? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01B3
    }
    return hash
}

/// Hashes of every regular file below `directory`, by path.
func treeHashes(_ directory: String) -> [String: UInt64] {
    var out: [String: UInt64] = [:]
    let files = FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []
    for file in files {
        var isDirectory: ObjCBool = false
        let path = directory + "/" + file
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            out[path] = fileHash(path)
        }
    }
    return out
}

/// Issue 15 through the CLI: hostile checkpoints (class 1) and feature stores (class 3) make `recommend`,
/// `eval` and `train --resume` print exactly one `error: <path>: <field>: <reason>` line and exit 1
/// without changing any file; a corrupt or old embeddings cache (class 7) is recomputed with one warning.
@Suite("Hostile checkpoints, feature stores and caches (CLI)", .serialized)
struct HostileFilesCLITests {
    /// The sample of class 1.
    static let sample = [
        "heads not dividing the width", "a tensor shape [2^32, 2^32]", "an offset of Int.max",
        "a negative embedding_dim",
        "an embedding_dim of 2^40", "more user keys than userCount", "a negative epoch", "a global step of NaN",
        "an optimizer step of NaN (payload resealed)",
    ]

    @Test(
        "recommend, eval and train --resume refuse an edited checkpoint with one line, exit 1, no file changed",
        arguments: HostileCheckpoint.all.filter { sample.contains($0.name) })
    func hostileCheckpoint(_ case_: HostileCheckpoint) throws {
        let f = try trainedFixture.get()
        let valid = try Data(contentsOf: URL(fileURLWithPath: f.directory + "/checkpoints/best.ckpt"))
        let (file, expected) = try case_.make(valid)
        let path = f.directory + "/hostile-\(UUID().uuidString).ckpt"
        try file.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = treeHashes(f.directory)
        let commands: [[String]] = [
            [
                "recommend", "--config", f.config, "--checkpoint", path, "--sample-users", "3", "--output",
                f.directory + "/out/r.csv",
            ],
            [
                "eval", "--config", f.config, "--recommender-type", "multimodal", "--checkpoint", path, "--task",
                "next_item",
                "--k", "10", "--output", f.directory + "/out/e.json", "-q",
            ],
            ["train", "--config", f.config, "-q", "--set", "training.epochs=2", "--resume", path],
        ]
        for arguments in commands {
            let run = runTool(arguments)
            #expect(run.status == 1, "\(arguments[0]): \(run.error)")
            #expect(run.error == "error: \(path): \(expected)\n", "\(arguments[0])")
            #expect(treeHashes(f.directory) == before, "\(arguments[0]) changed a file")
        }
    }

    @Test(
        "a hostile feature-store header: recommend, eval and train print one line naming file and field, exit 1",
        arguments: [
            ("item count 2^40", 16, 8, UInt64(1) << 40), ("dimension 2^31", 12, 4, UInt64(1) << 31),
            ("rows offset near Int.max", 32, 8, UInt64(Int.max) - 63), ("flags offset 0", 40, 8, 0),
            ("file length 2^63", 56, 8, UInt64(1) << 63),
        ] as [(String, Int, Int, UInt64)])
    func hostileStore(_ name: String, _ offset: Int, _ width: Int, _ value: UInt64) throws {
        let f = try trainedFixture.get()
        let store = f.directory + "/features/text.pxfs"
        let original = try Data(contentsOf: URL(fileURLWithPath: store))
        defer { try? original.write(to: URL(fileURLWithPath: store)) }
        var bytes = [UInt8](original)
        for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        try Data(bytes).write(to: URL(fileURLWithPath: store))
        let size = bytes.count
        func field(_ at: Int, _ width: Int) -> Int { (0..<width).reduce(0) { $0 | Int(original[at + $1]) << (8 * $1) } }
        let namesEnd = 64 + field(26, 2) + field(28, 2)
        let rowsEnd = field(32, 8) + 4 * field(16, 8) * field(12, 4)
        let expected: String
        switch offset {
        case 16: expected = "item count: 1099511627776 items cannot fit in \(size) bytes"
        case 12: expected = "dimension: 2147483648 is outside 1...1048576"
        case 32:
            expected =
                "rows offset: 9223372036854775744 is not a multiple of 64 in \(namesEnd)...\(size) (the names' end to the file's end)"
        case 40: expected = "flags offset: 0, expected rows offset + 4·count·dimension = \(rowsEnd)"
        default: expected = "file length: the header says 9223372036854775808 bytes, the file has \(size) (truncated?)"
        }
        let before = treeHashes(f.directory)
        for arguments in [
            ["recommend", "--config", f.config, "--sample-users", "3", "--output", f.directory + "/out/r.csv", "-q"],
            [
                "eval", "--config", f.config, "--recommender-type", "multimodal", "--task", "next_item", "--k", "10",
                "--output",
                f.directory + "/out/e.json", "-q",
            ],
            [
                "train", "--config", f.config, "-q", "--set", "training.epochs=1", "--set",
                "checkpoint_dir=\(f.directory)/ck2",
            ],
        ] {
            let run = runTool(arguments)
            #expect(run.status == 1, "\(arguments[0]): \(run.error)")
            #expect(run.error == "error: \(store): \(expected)\n", "\(arguments[0]) [\(name)]")
            #expect(treeHashes(f.directory) == before, "\(arguments[0]) changed a file")
        }
    }

    @Test(
        "a corrupt, old or hostile embeddings cache is recomputed with one warning naming file and field",
        arguments: ["payload", "version 1", "count 2^40", "dimension 0"])
    func hostileCache(_ kind: String) throws {
        let f = try trainedFixture.get()
        let cache = f.directory + "/cache-\(UUID().uuidString).pxiv"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let first = f.directory + "/out/cache-first-\(UUID().uuidString).csv"
        let arguments = ["recommend", "--config", f.config, "--sample-users", "5", "--embeddings-cache", cache]
        let made = runTool(arguments + ["--output", first, "-q"])
        #expect(made.status == 0, "\(made.error)")
        let checkpointHash = fileHash(f.directory + "/checkpoints/best.ckpt")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cache)))
        let expected: String
        switch kind {
        case "payload":
            // The float of the probe: -4.8e37 over the first vector's first value.
            withUnsafeBytes(of: Float(-4.8e37).bitPattern.littleEndian) { for k in 0..<4 { bytes[64 + k] = $0[k] } }
            expected = "payload checksum: mismatch (corrupt file)"
        case "version 1":
            bytes[7] = UInt8(ascii: "1")
            expected = "format version: version 1 has no payload checksum"
        case "count 2^40":
            for k in 0..<8 { bytes[24 + k] = UInt8(truncatingIfNeeded: (UInt64(1) << 40) >> (8 * UInt64(k))) }
            expected = "item count: 1099511627776 is outside 0...2147483647"
        default:
            for k in 32..<40 { bytes[k] = 0 }
            expected = "dimension: 0 is outside 1...65536"
        }
        try Data(bytes).write(to: URL(fileURLWithPath: cache))
        let second = f.directory + "/out/cache-second-\(UUID().uuidString).csv"
        let run = runTool(arguments + ["--output", second])
        #expect(run.status == 0, "\(run.error)")
        let warnings = run.error.split(separator: "\n").filter { $0.hasPrefix("warning:") }
        #expect(
            warnings == ["warning: \(cache): \(expected); recomputed the item vectors and rewrote the cache"],
            "\(run.error)")
        #expect(
            try String(contentsOfFile: second, encoding: .utf8) == (try String(contentsOfFile: first, encoding: .utf8)))
        #expect(fileHash(f.directory + "/checkpoints/best.ckpt") == checkpointHash)
        // Rewritten valid: the next run reuses it silently.
        let third = f.directory + "/out/cache-third-\(UUID().uuidString).json"
        let again = runTool(arguments + ["--output", third])
        #expect(again.status == 0 && !again.error.contains("warning:"), "\(again.error)")
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: third))) as? [String: Any]
        let source = (json?["model"] as? [String: Any])?["item_vectors"] as? String ?? ""
        #expect(source.hasPrefix("reused from cache"), "\(source)")
    }
}
