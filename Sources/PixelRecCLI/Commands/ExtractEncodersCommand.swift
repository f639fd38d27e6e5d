import Foundation
import PixelArguments
import PixelCore
import PixelModels

/// `pixelrec extract-encoders`: write a checkpoint's id maps and scalers out.
enum ExtractEncodersCommand: Subcommand {
    static let command = Command(
        name: "extract-encoders",
        abstract: "Write the user/item id maps and numeric scalers stored in a checkpoint.",
        discussion: "Writes user_ids.json, item_ids.json (IdMap files) and scalers.json into the output folder.",
        arguments: CommonOptions.all + [
            .option("checkpoint", kind: .path, valueName: "path", required: true, help: "Checkpoint to read."),
            .option("output", short: "o", kind: .path, valueName: "dir", required: true, help: "Output folder."),
        ]
    )

    static func run(_ context: CommandContext) throws {
        let path = context.invocation.string("checkpoint") ?? ""
        let output = context.invocation.string("output") ?? ""
        let files = ["user_ids.json", "item_ids.json", "scalers.json"]
        var paths = context.paths()
        paths.input(path, "--checkpoint")
        for file in files { paths.output(output + "/" + file, "--output") }
        try paths.check()
        let checkpoint = try Checkpoint.read(from: path)
        let (users, items) = try checkpoint.idMaps()
        // The three files are one set: a reader never sees one checkpoint's users beside another's items.
        try AtomicFileSet.write(directory: output, owning: Set(files)) { staging in
            try users.save(to: staging + "/user_ids.json", name: "user")
            try items.save(to: staging + "/item_ids.json", name: "item")
            try checkpoint.header.scalers.save(to: staging + "/scalers.json")
        }
        context.console.line(
            "\(users.count) users, \(items.count) items, \(checkpoint.header.scalers.scalers.count) scalers (epoch \(checkpoint.header.epoch)) → \(output)"
        )
    }
}
