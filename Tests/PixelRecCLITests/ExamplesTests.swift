import Foundation
import Testing

/// Every `Examples/<name>/run.sh` runs as is on tiny generated data (`SCALE=tiny`) with the built binary:
/// exit 0 and the files its README promises.
@Suite("Examples", .serialized)
struct ExamplesTests {
    static let expected: [String: [String]] = [
        "quickstart": ["models/best.ckpt", "results/eval-multimodal.json", "results/recommendations.json"],
        "cold-start": ["splits/items/test.csv", "results/cold-multimodal.json", "results/cold-content_knn.json"],
        "compare-baselines": [
            "results/eval-multimodal.json", "results/eval-user_knn.json", "results/eval-random.json",
            "results/compare.png",
        ],
        "swift-library": ["quickstart/models/best.ckpt", ".build/debug/rank-items"],
        "pixelrec-dataset": [
            "data/Pixel200K/Pixel200K.csv", "data/Pixel200K/item_info.csv", "models/best.ckpt",
            "results/eval-multimodal.json", "results/eval-popularity.json", "results/recommendations.csv",
        ],
        "bring-your-own-encoder": [
            "models/encoders/dino/model.onnx", "models/encoders/bert/vocab.txt", "results/dino.npy",
            "results/bert.npy", "results/clip.npy", "processed/features/image.pxfs", "processed/features/text.pxfs",
        ],
    ]

    @Test(
        "each example runs on tiny data and writes what its README says",
        arguments: [
            "quickstart", "cold-start", "compare-baselines", "swift-library", "pixelrec-dataset",
            "bring-your-own-encoder",
        ])
    func example(_ name: String) throws {
        let binary = try #require(ExecutableTests.binary, "build pixelrec first")
        let script = packageRoot + "/Examples/\(name)/run.sh"
        #expect(FileManager.default.fileExists(atPath: packageRoot + "/Examples/\(name)/README.md"))
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        var environment = ProcessInfo.processInfo.environment
        environment["SCALE"] = "tiny"
        environment["OUT"] = out
        environment["PIXELREC"] = binary
        // The tiny runs never read a real download a developer may have configured.
        environment["PIXELREC_DATA"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(name): \(log.suffix(2000))")
        if name == "bring-your-own-encoder" && log.contains("bring-your-own-encoder: skipped:") {
            // The tiny exports live in ../shared (PIXELREC_SHARED); the script says where it looked.
            print(log.split(separator: "\n").first { $0.contains("skipped:") } ?? "")
            return
        }
        for file in Self.expected[name] ?? [] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(name): \(file)")
        }
        // Every example lists its command lines for the reader.
        #expect(log.contains("$ pixelrec"), "\(name)")
        if name == "bring-your-own-encoder" {
            // Two covers through the tiny DINOv2 (32-d pooled output), two titles through the tiny BERT.
            for (file, shape) in [("dino", "(2, 32)"), ("bert", "(2, 32)"), ("clip", "(1, 16)")] {
                let header = try Data(contentsOf: URL(fileURLWithPath: out + "/results/\(file).npy")).prefix(128)
                #expect(String(decoding: header, as: UTF8.self).contains("'shape': \(shape)"), "\(file).npy")
            }
            #expect(log.contains("image: dino 32-d: 40 items") && log.contains("text: bert 32-d: 40 items"))
        }
        if name == "swift-library" {
            // The package's ranking is `pixelrec recommend`'s plain top-k for the same user.
            let ranked = log.split(separator: "\n").filter { $0.split(separator: "\t").count == 3 }
                .map { String($0.split(separator: "\t")[1]) }
            let recommend = Process()
            recommend.executableURL = URL(fileURLWithPath: binary)
            recommend.arguments = [
                "recommend", "--config", packageRoot + "/Examples/quickstart/config.yaml", "--users", "u1", "--top-k",
                "5", "--output", out + "/recs.csv", "-q",
            ]
            recommend.currentDirectoryURL = URL(fileURLWithPath: out + "/quickstart")
            recommend.standardOutput = FileHandle.nullDevice
            try recommend.run()
            recommend.waitUntilExit()
            let csv = try String(contentsOfFile: out + "/recs.csv", encoding: .utf8)
            let listed = csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[2]) }
            #expect(ranked.count == 5 && ranked == listed, "\(ranked) vs \(listed)")
        }
    }

    @Test("the Examples README lists every example folder")
    func index() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/Examples").filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: packageRoot + "/Examples/" + $0, isDirectory: &directory)
                && directory.boolValue
        }
        let readme = try String(contentsOfFile: packageRoot + "/Examples/README.md", encoding: .utf8)
        #expect(Set(folders) == Set(Self.expected.keys))
        for folder in folders { #expect(readme.contains("`\(folder)/`"), "\(folder)") }
    }
}
