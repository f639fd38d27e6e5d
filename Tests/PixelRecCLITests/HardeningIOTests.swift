import Foundation
import Testing

@testable import PixelRecCLI

/// FNV-1a of every regular file under `root` (or of `root` itself), keyed by relative path: what
/// "no input changed" is checked against.
func treeHashes(_ root: String) -> [String: UInt64] {
    func hash(_ path: String) -> UInt64 {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { return [:] }
    guard isDirectory.boolValue else { return [root: hash(root)] }
    var result: [String: UInt64] = [:]
    for case let name as String in FileManager.default.enumerator(atPath: root) ?? NSEnumerator() {
        var dir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &dir), !dir.boolValue {
            result[name] = hash(root + "/" + name)
        }
    }
    return result
}

/// Hidden leftovers (`.x.tmp-…`, `.x.old-…`) anywhere under `root`.
func leftovers(_ root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
        let name = ($0 as NSString).lastPathComponent
        return name.contains(".tmp-") || name.contains(".old-")
    }
}

/// Small synthetic interactions CSV text.
func interactionsCSV(users: Int, items: Int, perUser: Int) -> String {
    var text = "item_id,user_id,timestamp\n"
    for u in 0..<users {
        for k in 0..<perUser { text += "i\((u + k) % items),u\(u),\(1000 + u * 100 + k)\n" }
    }
    return text
}

@Suite("Hardening: outputs, lists, sets, messages", .serialized)
struct HardeningIOTests {
    // MARK: class 4 — an output that is also an input

    @Test("recommend --embeddings-cache equal to --checkpoint is refused before any work; checkpoint unchanged")
    func recommendCacheOverCheckpoint() throws {
        let fixture = try RecommendFixture.shared.get()
        let checkpoint = fixture.directory + "/checkpoints/best.ckpt"
        let before = treeHashes(fixture.directory)
        let result = runTool([
            "recommend", "--config", fixture.config, "--users", fixture.users[0], "--checkpoint", checkpoint,
            "--embeddings-cache", checkpoint, "-o", fixture.directory + "/results/x.json",
        ])
        #expect(result.status == 1)
        #expect(result.errorLines == ["error: \(checkpoint): is also an input (--checkpoint); choose another output"])
        #expect(treeHashes(fixture.directory) == before)
    }

    @Test("eval --output equal to --checkpoint, and a hard link of it, are refused; checkpoint unchanged")
    func evalOutputOverCheckpoint() throws {
        let fixture = try RecommendFixture.shared.get()
        let checkpoint = fixture.directory + "/checkpoints/best.ckpt"
        let scratch = try temporaryDirectory()
        let link = scratch + "/alias.json"
        #expect(Foundation.link(checkpoint, link) == 0)
        let before = treeHashes(fixture.directory)
        for output in [checkpoint, link] {
            let result = runTool([
                "eval", "--config", fixture.config, "--recommender-type", "multimodal", "--checkpoint", checkpoint,
                "--output", output, "-q",
            ])
            #expect(result.status == 1)
            let which = output == checkpoint ? "--checkpoint" : "--checkpoint \(checkpoint)"
            #expect(result.errorLines == ["error: \(output): is also an input (\(which)); choose another output"])
        }
        #expect(treeHashes(fixture.directory) == before)
    }

    @Test("recommend --output onto the training split (directly and through a symbolic link) is refused")
    func recommendOutputOverTrainSplit() throws {
        let fixture = try RecommendFixture.shared.get()
        let train = fixture.directory + "/split/train.csv"
        let scratch = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: scratch + "/t.csv", withDestinationPath: train)
        let before = treeHashes(fixture.directory)
        for output in [train, scratch + "/t.csv"] {
            let result = runTool(["recommend", "--config", fixture.config, "--users", fixture.users[0], "-o", output])
            #expect(result.status == 1)
            let which = output == train ? "data.train_data_path" : "data.train_data_path \(train)"
            #expect(result.errorLines == ["error: \(output): is also an input (\(which)); choose another output"])
        }
        #expect(treeHashes(fixture.directory) == before)
    }

    @Test("preprocess into the raw folder and split into its input's folder are refused; raw files unchanged")
    func folderOutputsOverInputs() throws {
        let directory = try temporaryDirectory()
        let raw = directory + "/raw"
        let synth = runTool([
            "synth", "--users", "20", "--items", "20", "--interactions", "150", "--image-size", "16", "--out", raw,
            "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        let before = treeHashes(raw)
        let preprocess = runTool([
            "preprocess", "--item-info", raw + "/item_info.csv", "--interactions", raw + "/interactions.csv",
            "--images", raw + "/images", "--output", raw, "-q",
        ])
        #expect(preprocess.status == 1)
        #expect(
            preprocess.errorLines == [
                "error: \(raw): is also an input (--item-info \(raw)/item_info.csv); choose another output"
            ])
        let split = runTool(["split", "--interactions", raw + "/interactions.csv", "--output", raw, "-q"])
        #expect(split.status == 1)
        #expect(
            split.errorLines == [
                "error: \(raw): is also an input (--interactions \(raw)/interactions.csv); choose another output"
            ])
        #expect(treeHashes(raw) == before)
        #expect(leftovers(directory).isEmpty)
    }

    // MARK: class 5 — CRLF lists

    @Test("--deny-list and --user-file with CRLF, a byte-order mark, trailing blanks and no final newline")
    func crlfLists() throws {
        let fixture = try RecommendFixture.shared.get()
        let scratch = try temporaryDirectory()
        let user = fixture.users[0], other = fixture.users[1]
        let first = runTool([
            "recommend", "--config", fixture.config, "--users", user, "--top-k", "3", "-o", scratch + "/a.csv", "-q",
        ])
        #expect(first.status == 0, "\(first.error)")
        let recommended = try String(contentsOfFile: scratch + "/a.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst().map { String($0.split(separator: ",")[2]) }
        #expect(recommended.count == 3)
        let deny = scratch + "/deny.txt"
        try Data([0xEF, 0xBB, 0xBF] + Array(recommended.map { $0 + " \t" }.joined(separator: "\r\n").utf8))
            .write(to: URL(fileURLWithPath: deny))
        let users = scratch + "/users.txt"
        try Data("\u{FEFF}\(user)\r\n\(other)  \r\n".utf8).write(to: URL(fileURLWithPath: users))
        let listsBefore = treeHashes(deny).merging(treeHashes(users)) { a, _ in a }
        let second = runTool([
            "recommend", "--config", fixture.config, "--user-file", users, "--deny-list", deny, "--top-k", "3",
            "-o", scratch + "/b.csv", "-q",
        ])
        #expect(second.status == 0, "\(second.error)")
        #expect(!second.error.contains("not an item"), "every denied id is known, got \(second.error)")
        let rows = try String(contentsOfFile: scratch + "/b.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        #expect(Set(rows.map { $0[0] }) == [user, other])
        #expect(rows.allSatisfy { !recommended.contains($0[2]) }, "a denied item was recommended")
        #expect(treeHashes(deny).merging(treeHashes(users)) { a, _ in a } == listsBefore)
    }

    // MARK: class 6 — a split is committed as a set

    @Test("a split replaces the whole set; an interrupted run's leftovers are removed by the next run")
    func splitIsOneSet() throws {
        let directory = try temporaryDirectory()
        let input = directory + "/interactions.csv"
        try interactionsCSV(users: 30, items: 12, perUser: 6).write(toFile: input, atomically: true, encoding: .utf8)
        let output = directory + "/out"
        let first = runTool(["split", "--interactions", input, "--output", output, "--seed", "1", "-q"])
        #expect(first.status == 0, "\(first.error)")
        // Leftovers of a run that died (a process id that does not exist).
        let stale = [directory + "/.out.tmp-99999999-1", output + "/.train.csv.tmp-99999999-2"]
        try FileManager.default.createDirectory(atPath: stale[0], withIntermediateDirectories: true)
        try Data("half".utf8).write(to: URL(fileURLWithPath: stale[0] + "/train.csv"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: stale[1]))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: output + "/notes.txt"))
        let inputBefore = treeHashes(input)
        let second = runTool([
            "split", "--interactions", input, "--output", output, "--strategy", "stratified", "--seed", "2", "-q",
        ])
        #expect(second.status == 0, "\(second.error)")
        #expect(leftovers(directory).isEmpty, "\(leftovers(directory))")
        let info = try String(contentsOfFile: output + "/split_info.json", encoding: .utf8)
        #expect(info.contains("\"strategy\" : \"stratified\""))
        #expect(try String(contentsOfFile: output + "/notes.txt", encoding: .utf8) == "mine")
        #expect(treeHashes(input) == inputBefore)
        // A split that fails (nothing survives the k-core filter) leaves the previous set as it was.
        let setBefore = treeHashes(output)
        let failed = runTool([
            "split", "--interactions", input, "--output", output, "--min-interactions-per-user", "50", "-q",
        ])
        #expect(failed.status == 1)
        #expect(treeHashes(output) == setBefore)
        #expect(leftovers(directory).isEmpty)
    }

    // MARK: class 8 — messages

    @Test("a read-only output folder: one line naming the user's file, not the temporary one")
    func readOnlyOutput() throws {
        guard getuid() == 0 else {
            print("skipped: read-only output needs root to mount a read-only tmpfs")
            return
        }
        let fixture = try RecommendFixture.shared.get()
        let mount = try temporaryDirectory()
        guard TmpfsMount.mount(mount, options: "ro,size=64k") else {
            print("skipped: cannot mount a read-only tmpfs at \(mount)")
            return
        }
        defer { TmpfsMount.unmount(mount) }
        let output = mount + "/recs.json"
        let result = runTool(["recommend", "--config", fixture.config, "--users", fixture.users[0], "-o", output, "-q"])
        #expect(result.status == 1)
        #expect(result.errorLines == ["error: \(output): read-only file system"])
    }

    // MARK: class 9 — duplicates, NUL bytes, empty results, unknown test items, --quiet

    @Test("split reports exact duplicates it drops, even with --quiet")
    func duplicatesReported() throws {
        let directory = try temporaryDirectory()
        let input = directory + "/interactions.csv"
        var text = interactionsCSV(users: 10, items: 8, perUser: 5)
        text += "i0,u0,1000\ni0,u0,1000\n"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let result = runTool(["split", "--interactions", input, "--output", directory + "/out", "-q"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.errorLines == ["warning: \(input): read 52 rows, dropped 2 exact duplicates"])
        #expect(result.output.contains("input: \(input) (read 52 rows, dropped 2 exact duplicates)"))
    }

    @Test("a NUL byte inside an id is an error naming file and line; nothing written")
    func nulInId() throws {
        let directory = try temporaryDirectory()
        let input = directory + "/interactions.csv"
        try Data("item_id,user_id,timestamp\ni1,u1,1\ni\u{0}2,u1,2\n".utf8).write(to: URL(fileURLWithPath: input))
        let before = treeHashes(input)
        let result = runTool(["split", "--interactions", input, "--output", directory + "/out", "-q"])
        #expect(result.status == 1)
        #expect(result.errorLines == ["error: \(input):3:1: NUL byte in the field"])
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
        #expect(treeHashes(input) == before)
    }

    @Test("k-core or a header-only file that leaves nothing: an error naming the step, no output, no leakage line")
    func emptyResults() throws {
        let directory = try temporaryDirectory()
        let input = directory + "/interactions.csv"
        try interactionsCSV(users: 10, items: 8, perUser: 4).write(toFile: input, atomically: true, encoding: .utf8)
        let kcore = runTool([
            "split", "--interactions", input, "--output", directory + "/out", "--min-interactions-per-user", "9", "-q",
        ])
        #expect(kcore.status == 1)
        let expected =
            "error: \(input): k-core filter (users ≥ 9, items ≥ 5) removed all 40 interactions; nothing to split "
            + "(lower min_interactions_per_user / min_interactions_per_item)"
        #expect(kcore.errorLines.map(String.init) == [expected])
        #expect(!kcore.output.contains("leakage check"))
        let header = directory + "/header.csv"
        try "item_id,user_id,timestamp\n".write(toFile: header, atomically: true, encoding: .utf8)
        let empty = runTool(["split", "--interactions", header, "--output", directory + "/out", "-q"])
        #expect(empty.status == 1)
        #expect(empty.errorLines == ["error: \(header): no interactions (only a header); nothing to split"])
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
    }

    @Test("test items outside the catalog are warned about with file:line and counts, also with --quiet")
    func unknownTestItemsWarned() throws {
        let directory = try temporaryDirectory()
        let train = directory + "/train.csv", test = directory + "/test.csv"
        try interactionsCSV(users: 6, items: 5, perUser: 4).write(toFile: train, atomically: true, encoding: .utf8)
        try "item_id,user_id,timestamp\ni1,u0,9000\nnew1,u1,9001\nnew1,u2,9002\nnew2,u3,9003\n"
            .write(toFile: test, atomically: true, encoding: .utf8)
        let result = runTool([
            "eval", "--recommender-type", "popularity", "--train-data", train, "--test-data", test, "--val-data", train,
            "--output", directory + "/r.json", "-q",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(
            result.errorLines == [
                "warning: \(test):3: item 'new1' is not in the catalog; 3 rows with 2 such items added as items "
                    + "without training interactions"
            ])
    }
}

/// Mounting a small tmpfs (tests run as root in CI; skipped otherwise).
enum TmpfsMount {
    static func mount(_ path: String, options: String) -> Bool {
        run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path])
    }

    static func unmount(_ path: String) { _ = run("/bin/umount", [path]) }

    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Fills the file system of `directory` until a write fails with `ENOSPC`.
    static func fill(_ directory: String) {
        let fd = open(directory + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        for size in [65536, 4096, 1] {
            let block = [UInt8](repeating: 0x55, count: size)
            while block.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, size) }) == size {}
        }
    }
}
