import PixelArguments
import PixelCore
import PixelData

/// `pixelrec synth`: generate PixelRec-format data with real structure.
enum SynthCommand: Subcommand {
    static let command = Command(
        name: "synth",
        abstract: "Generate a PixelRec-format data set whose images and texts predict preferences.",
        discussion: """
            Users have latent tastes over visual and textual item attributes; items get procedurally drawn \
            JPEG images, titles, tags, descriptions and the seven PixelRec count columns derived from those \
            attributes. Writes interactions.csv, item_info.csv, images/ and synth_info.json. Seeded: the same \
            seed gives the same files.
            """,
        arguments: CommonOptions.all + [
            .option("users", kind: .integer(1...Int.max), valueName: "n", default: "1000", help: "Number of users."),
            .option("items", kind: .integer(1...Int.max), valueName: "n", default: "500", help: "Number of items."),
            .option(
                "interactions", kind: .integer(1...Int.max), valueName: "n", default: "20000",
                help: "Number of interactions."),
            .option("out", short: "o", kind: .path, valueName: "dir", required: true, help: "Output folder."),
            .option("seed", kind: .integer(0...Int.max), default: "42", help: "Random seed."),
            .option(
                "image-size", kind: .integer(16...4096), valueName: "px", default: "128",
                help: "Side of the generated square images."),
            .flag("no-images", help: "Write no images (for scale tests of the interaction pipeline)."),
        ],
        examples: ["pixelrec synth --users 2000 --items 800 --interactions 60000 --out data/synth"]
    )

    static func run(_ context: CommandContext) throws {
        let invocation = context.invocation
        var options = SynthOptions()
        options.users = invocation.int("users") ?? options.users
        options.items = invocation.int("items") ?? options.items
        options.interactions = invocation.int("interactions") ?? options.interactions
        options.seed = UInt64(invocation.int("seed") ?? 42)
        options.imageSize = invocation.int("image-size") ?? options.imageSize
        options.withImages = !invocation.flag("no-images")
        let output = invocation.string("out") ?? "."
        var paths = context.paths()
        paths.output(output, "--out", directory: true)
        try paths.check()
        let progress = PixelCore.Progress("synth", total: nil, unit: "rows+images")
        let report = try SynthGenerator.generate(options: options, outputDirectory: output, progress: progress)
        progress.finish()
        context.console.line(
            "wrote \(output): \(report.users) users, \(report.items) items, \(report.interactions) interactions, "
                + "\(report.images) images (seed \(report.seed))")
    }
}
