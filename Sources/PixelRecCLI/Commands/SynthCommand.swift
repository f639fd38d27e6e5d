import PixelArguments

/// `pixelrec synth`: generate PixelRec-format data with real structure.
enum SynthCommand: Subcommand {
    static let command = Command(
        name: "synth",
        abstract: "Generate a PixelRec-format data set whose images and texts predict preferences.",
        discussion: """
            Users have latent tastes over visual and textual item attributes; items get procedurally drawn \
            JPEG images, titles, tags, descriptions and numeric columns derived from those attributes. \
            Seeded: the same seed gives the same files.
            """,
        arguments: CommonOptions.all + [
            .option("users", kind: .integer(1 ... Int.max), valueName: "n", default: "1000", help: "Number of users."),
            .option("items", kind: .integer(1 ... Int.max), valueName: "n", default: "500", help: "Number of items."),
            .option(
                "interactions", kind: .integer(1 ... Int.max), valueName: "n", default: "20000",
                help: "Number of interactions."),
            .option("out", short: "o", kind: .path, valueName: "dir", required: true, help: "Output folder."),
            .option("seed", kind: .integer(nil), default: "42", help: "Random seed."),
            .option(
                "image-size", kind: .integer(16 ... 4096), valueName: "px", default: "128",
                help: "Side of the generated square images."),
            .flag("no-images", help: "Write no images (for scale tests of the interaction pipeline)."),
        ],
        examples: ["pixelrec synth --users 2000 --items 800 --interactions 60000 --out data/synth"]
    )

    static func run(_ context: CommandContext) throws {
        throw context.notYetImplemented(issue: 6, "the synthetic data generator")
    }
}
