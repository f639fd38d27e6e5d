import Foundation
import PixelImage
import Testing

@testable import PixelRecCLI

/// `pixelrec synth → preprocess → split` from the command line, on generated data.
@Suite("Data commands")
struct DataCommandTests {
    /// Generates a small data set and returns its folder.
    func synthesize(seed: Int = 3) throws -> String {
        let directory = try temporaryDirectory()
        let result = runTool([
            "synth", "--users", "120", "--items", "80", "--interactions", "3000", "--image-size", "48",
            "--seed", String(seed), "--out", directory + "/raw", "-q",
        ])
        #expect(result.status == 0, "\(result.error)")
        return directory
    }

    @Test("synth → preprocess → split leave_one_out writes every file, one test and one val row per user")
    func pipeline() throws {
        let directory = try synthesize()
        let raw = directory + "/raw"
        let preprocess = runTool([
            "preprocess", "--item-info", raw + "/item_info.csv", "--interactions", raw + "/interactions.csv",
            "--images", raw + "/images", "--output", directory + "/processed", "-q",
            "--set", "data.offline_image_validation.min_width=32", "--set",
            "data.offline_image_validation.min_height=32",
        ])
        #expect(preprocess.status == 0, "\(preprocess.error)")
        #expect(preprocess.output.contains("items: 80 read, 80 kept"))
        for name in ["item_info.csv", "interactions.csv", "scalers.json", "preprocess_report.json"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/processed/" + name), "\(name) missing")
        }

        let split = runTool([
            "split", "--interactions", directory + "/processed/interactions.csv", "--strategy", "leave_one_out",
            "--min_interactions_per_user", "3", "--output", directory + "/loo", "-q",
        ])
        #expect(split.status == 0, "\(split.error)")
        let info =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/loo/split_info.json"))) as? [String: Any]
        let counts = try #require(info?["counts"] as? [String: Int])
        let users = try #require(info?["users"] as? [String: Int])
        #expect(counts["test"] == users["test"])
        #expect(counts["val"] == users["val"])
        #expect(split.output.contains("passed"))
    }

    /// The Python framework's `--sample_n` counts interactions; `--sample-users` / `--sample-interactions` say
    /// which; the report says what was kept, or that nothing was sampled.
    @Test("--sample_n samples interactions, --sample-users users; n ≥ population samples nothing; one at a time")
    func sampling() throws {
        let directory = try synthesize()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func split(_ flags: [String], _ name: String) throws -> (RunResult, [String: Any]) {
            let result = runTool(
                [
                    "split", "--interactions", directory + "/raw/interactions.csv", "--strategy", "stratified",
                    "--min-interactions-per-user", "0", "--min-interactions-per-item", "0",
                    "--output", directory + "/" + name, "-q",
                ] + flags)
            let info = try? JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + "/split_info.json")))
            return (result, (info as? [String: Any])?["sample"] as? [String: Any] ?? [:])
        }
        let (rows, rowsInfo) = try split(["--sample_n", "1000"], "n")
        #expect(rows.status == 0, "\(rows.error)")
        #expect(
            rows.output.contains("sample: 1000 of 3000 interactions (seed 42): 1000 interactions kept"),
            "\(rows.output)")
        #expect(rowsInfo["mode"] as? String == "interactions" && rowsInfo["rows"] as? Int == 1000)
        let (users, usersInfo) = try split(["--sample-users", "30"], "u")
        #expect(users.status == 0, "\(users.error)")
        #expect(users.output.contains("sample: 30 of 120 users (seed 42): "), "\(users.output)")
        let kept = try #require(usersInfo["rows"] as? Int)
        let written = try ["train", "val", "test"].map {
            try String(contentsOfFile: directory + "/u/\($0).csv", encoding: .utf8).split(separator: "\n").count - 1
        }
        #expect(written.reduce(0, +) == kept && kept < 3000)
        let all = try String(contentsOfFile: directory + "/u/train.csv", encoding: .utf8)
        #expect(Set(all.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }).count <= 30)
        let none = try split(["--sample-interactions", "5000"], "all").0
        #expect(
            none.output.contains("sample: 5000 ≥ the 3000 interactions of the input: nothing sampled"), "\(none.output)"
        )
        let both = try split(["--sample-n", "10", "--sample-users", "5"], "both").0
        #expect(both.status == 2 && both.errorLines.count == 1, "\(both.error)")
    }

    @Test("data.splitting.validate_no_leakage: false skips the check and says so (report and split_info.json)")
    func leakageCheckSkipped() throws {
        let directory = try synthesize()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func split(_ sets: [String], _ name: String) throws -> (RunResult, [String: Any]) {
            let result = runTool(
                [
                    "split", "--interactions", directory + "/raw/interactions.csv", "--output", directory + "/" + name,
                    "-q",
                ]
                    + sets)
            let info = try? JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + "/split_info.json")))
            return (result, (info as? [String: Any])?["leakage"] as? [String: Any] ?? [:])
        }
        let (checked, checkedInfo) = try split([], "checked")
        #expect(checked.status == 0 && checked.output.contains("validation interactions also in train: passed"))
        #expect(checkedInfo["skipped"] == nil)
        let (skipped, skippedInfo) = try split(["--set", "data.splitting.validate_no_leakage=false"], "skipped")
        #expect(skipped.status == 0, "\(skipped.error)")
        #expect(skipped.output.contains("leakage check: skipped (data.splitting.validate_no_leakage: false)"))
        #expect(!skipped.output.contains("passed"))
        #expect(skippedInfo["skipped"] as? Bool == true)
    }

    /// synth's images are 48 × 48 JPEGs.
    @Test(
        "preprocess: resize_if_pixels_larger_than bounds which images are resized; check_corrupted: false reads headers only"
    )
    func imageOptions() throws {
        let directory = try synthesize()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let raw = directory + "/raw"
        func preprocess(_ sets: [String], _ name: String) throws -> (RunResult, [String: Any]) {
            let result = runTool(
                [
                    "preprocess", "--item-info", raw + "/item_info.csv", "--interactions", raw + "/interactions.csv",
                    "--images", raw + "/images", "--output", directory + "/" + name, "-q",
                    "--set", "data.offline_image_compression.compress_if_kb_larger_than=10000",
                    "--set", "data.offline_image_compression.resize_target_longest_edge=32",
                    "--set", "data.offline_image_validation.min_width=32",
                    "--set", "data.offline_image_validation.min_height=32",
                ] + sets.flatMap { ["--set", $0] })
            let report = try? JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + "/preprocess_report.json")))
            return (result, report as? [String: Any] ?? [:])
        }
        func size(_ name: String) throws -> (Int, Int) {
            let folder = directory + "/" + name + "/images"
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).sorted().first)
            let image = try ImageCodec.decode(contentsOf: folder + "/" + file)
            return (image.width, image.height)
        }
        // Above the bound: every image resized to the target edge.
        let (small, smallReport) = try preprocess(
            ["data.offline_image_compression.resize_if_pixels_larger_than=[40, 40]"], "above")
        #expect(small.status == 0, "\(small.error)")
        #expect(smallReport["images_compressed"] as? Int == 80 && smallReport["images_copied"] as? Int == 0)
        #expect(try size("above") == (32, 32))
        // Below the bound: copied unchanged, although longer than resize_target_longest_edge.
        let (kept, keptReport) = try preprocess(
            ["data.offline_image_compression.resize_if_pixels_larger_than=[64, 64]"], "below")
        #expect(kept.status == 0, "\(kept.error)")
        #expect(keptReport["images_copied"] as? Int == 80 && keptReport["images_compressed"] as? Int == 0)
        #expect(try size("below") == (48, 48))
        #expect(keptReport["images_not_decoded"] as? Int == 0)
        // check_corrupted: false: headers only, the report says so.
        let (headers, headersReport) = try preprocess(
            [
                "data.offline_image_compression.resize_if_pixels_larger_than=[64, 64]",
                "data.offline_image_validation.check_corrupted=false",
            ], "headers")
        #expect(headers.status == 0, "\(headers.error)")
        #expect(headersReport["images_not_decoded"] as? Int == 80)
        #expect(headers.output.contains("corrupt-image check skipped (check_corrupted: false): 80 not decoded"))
    }

    @Test("the same seed gives byte-identical splits; another seed a different stratified split")
    func deterministic() throws {
        let directory = try synthesize()
        func split(_ seed: String, _ name: String) throws -> Data {
            let result = runTool([
                "split", "--interactions", directory + "/raw/interactions.csv", "--strategy", "stratified",
                "--seed", seed, "--output", directory + "/" + name, "-q",
            ])
            #expect(result.status == 0, "\(result.error)")
            return try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + "/test.csv"))
        }
        let first = try split("5", "a")
        #expect(try split("5", "b") == first)
        #expect(try split("6", "c") != first)
    }

    @Test("a missing interactions file is one line naming it, exit 1")
    func missingInput() {
        let result = runTool(["split", "--interactions", "/nonexistent/interactions.csv", "-o", "/tmp/x"])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.error.contains("/nonexistent/interactions.csv"))
    }

    @Test(
        "data.processed_interactions_path is what split reads when a config sets it; a missing one is an error naming it, not a fallback"
    )
    func processedInteractionsPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var csv = "item_id,user_id,timestamp\n"
        for u in 0..<4 { for i in 0..<5 { csv += "i\(i + u),u\(u),\(i)\n" } }
        try csv.write(toFile: directory + "/mine.csv", atomically: true, encoding: .utf8)
        let run = runTool([
            "split", "--set", "data.processed_interactions_path=" + directory + "/mine.csv", "--strategy",
            "leave_one_out", "--min-interactions-per-user", "0", "--min-interactions-per-item", "0", "-o",
            directory + "/out", "-q",
        ])
        #expect(run.status == 0, "\(run.error)")
        let test = try String(contentsOfFile: directory + "/out/test.csv", encoding: .utf8)
        #expect(test.split(separator: "\n").count == 5)  // header + one row for each of the file's 4 users
        let missing = runTool([
            "split", "--set", "data.processed_interactions_path=" + directory + "/none.csv", "-o", directory + "/o2",
        ])
        #expect(missing.status == 1 && missing.errorLines.count == 1, "\(missing.error)")
        #expect(missing.error == "error: \(directory)/none.csv: no such file\n")
    }

    @Test("--ratios needs three values: usage error, exit 2")
    func ratiosNeedThree() {
        let result = runTool(["split", "--ratios", "0.5", "0.5", "-o", "/tmp/x"])
        #expect(result.status == 2)
        #expect(result.error.contains("--ratios"))
    }

    @Test("ml100k-pixel leave_one_out from the CLI: exactly 943 test and 943 validation interactions")
    func movieLensLeaveOneOut() throws {
        let shared = ProcessInfo.processInfo.environment["PIXELREC_SHARED"] ?? packageRoot + "/../shared"
        let interactions = shared + "/data/ml100k-pixel/interactions.csv"
        guard FileManager.default.fileExists(atPath: interactions) else {
            print("skipping: \(interactions) not found (set PIXELREC_SHARED)")
            return
        }
        let output = try temporaryDirectory()
        let result = runTool([
            "split", "--interactions", interactions, "--strategy", "leave_one_out",
            "--min-interactions-per-user", "0", "--min-interactions-per-item", "0", "-o", output, "-q",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("rows        98114      943      943"))
    }
}
