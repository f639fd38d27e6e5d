import Foundation
import Testing

@testable import PixelRecCLI

/// `split`, `preprocess`, `train` (checkpoint) and `recommend` writing onto a full file system (a small
/// tmpfs; needs root to mount): one line naming the user's path with "no space left on device", exit 1,
/// the previous outputs byte for byte as they were, and no temporary file left.
@Suite("Disk full", .serialized)
struct DiskFullTests {
    @Test("split, preprocess, train and recommend on a full tmpfs")
    func diskFull() throws {
        guard getuid() == 0 else {
            print("skipped: the disk-full test mounts a tmpfs and needs root")
            return
        }
        let directory = try temporaryDirectory()
        let mount = directory + "/full"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        guard TmpfsMount.mount(mount, options: "size=4m") else {
            print("skipped: cannot mount a tmpfs at \(mount) (no CAP_SYS_ADMIN?)")
            return
        }
        defer { TmpfsMount.unmount(mount) }

        // Inputs on the ordinary disk, outputs on the tmpfs.
        let raw = directory + "/raw"
        let synth = runTool([
            "synth", "--users", "40", "--items", "24", "--interactions", "400", "--image-size", "24", "--seed", "5",
            "--out", raw, "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        let config = directory + "/config.yaml"
        try """
        model:
          vision_model: builtin
          language_model: builtin
          embedding_dim: 8
          fusion_hidden_dims: [16]
          num_attention_heads: 2
        training:
          epochs: 1
          batch_size: 128
          threads: 1
          seed: 7
        data:
          item_info_path: \(raw)/item_info.csv
          interactions_path: \(raw)/interactions.csv
          image_folder: \(raw)/images
          processed_item_info_path: \(directory)/processed/item_info.csv
          feature_store_path: \(directory)/features
          split_data_path: \(mount)/split
          train_data_path: \(mount)/split/train.csv
          val_data_path: \(mount)/split/val.csv
          test_data_path: \(mount)/split/test.csv
          offline_image_validation:
            min_width: 16
            min_height: 16
          splitting:
            strategy: leave_one_out
        checkpoint_dir: \(mount)/checkpoints
        results_dir: \(mount)/results

        """.write(toFile: config, atomically: true, encoding: .utf8)

        // The previous, good outputs.
        let splitArguments = ["split", "--config", config, "--interactions", raw + "/interactions.csv", "-q"]
        let preprocessArguments = ["preprocess", "--config", config, "--output", mount + "/processed", "-q"]
        let recommendArguments = [
            "recommend", "--config", config, "--sample-users", "5", "-o", mount + "/recs.json", "-q",
        ]
        for arguments in [
            splitArguments, preprocessArguments, ["train", "--config", config, "-q"], recommendArguments,
        ] {
            let result = runTool(arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.error)")
        }
        let before = treeHashes(mount)
        let rawBefore = treeHashes(raw)
        #expect(
            before["checkpoints/last.ckpt"] != nil && before["recs.json"] != nil && before["split/train.csv"] != nil)

        TmpfsMount.fill(mount)
        let cases: [(arguments: [String], path: String)] = [
            (splitArguments + ["--seed", "9"], mount + "/split/train.csv"),
            (preprocessArguments, mount + "/processed/item_info.csv"),
            (["train", "--config", config, "--seed", "8", "-q"], mount + "/checkpoints/last.ckpt"),
            (recommendArguments + ["--seed", "3"], mount + "/recs.json"),
        ]
        for (arguments, path) in cases {
            let result = runTool(arguments)
            #expect(result.status == 1, "\(arguments[0]) should fail on a full disk")
            let errors = result.errorLines.filter { $0.hasPrefix("error:") }
            #expect(errors == ["error: \(path): no space left on device"], "\(arguments[0]): \(result.error)")
            #expect(leftovers(mount).isEmpty, "\(arguments[0]) left \(leftovers(mount))")
            var now = treeHashes(mount)
            now["filler"] = before["filler"]
            #expect(now == before, "\(arguments[0]) changed a previous output")
        }
        #expect(treeHashes(raw) == rawBefore)
    }
}
