import PixelArguments
import Testing

/// SplitMix64, so the random command lines are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Robustness: random command lines never crash")
struct RobustnessTests {
    static let vocabulary = [
        "split", "train", "recommend", "onnx", "inspect", "run", "help", "--", "-", "-h", "--help", "--version",
        "-v", "-vq", "-j", "-j4", "--threads", "--threads=", "-k", "-k10", "-dk", "-xdk5", "--top-k", "--top_k=3",
        "--users", "u1", "--set", "a.b=1", "=", "--set=", "-i", "--input", "x.csv", "out", "--strategy", "user",
        "temporl", "--ratios", "0.5", "-0.5", "-1e-3", ".5", "nan", "--lr", "-c", "c.yaml", "--epochs", "ten",
        "--use-diversity=yes", "-d=", "--sampel-users", "-sample-users", "---", "--=", "é", "👩‍💻", "", " ",
    ]

    @Test("5000 seeded random command lines: each parses or throws one line", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomLines(seed: UInt64) {
        var generator = SplitMix64(state: seed)
        var outcomes = (run: 0, help: 0, version: 0, error: 0)
        for _ in 0..<1000 {
            let count = Int.random(in: 0...8, using: &generator)
            let words = (0..<count).map { _ in Self.vocabulary.randomElement(using: &generator) ?? "" }
            do {
                switch try SampleTree.parser.parse(words) {
                case .run(let invocation):
                    outcomes.run += 1
                    #expect(invocation.commandPath.first == "pixelrec")
                case .help(let text):
                    outcomes.help += 1
                    #expect(text.hasPrefix("OVERVIEW: "))
                case .version:
                    outcomes.version += 1
                }
            } catch {
                outcomes.error += 1
                #expect(!error.description.isEmpty && !error.description.contains("\n"), "\(words)")
                #expect(error.exitCode == 2)
            }
        }
        // Every kind of outcome occurs, so the generator exercises more than the error paths.
        #expect(outcomes.run > 0 && outcomes.help > 0 && outcomes.error > 0, "\(outcomes)")
    }
}
