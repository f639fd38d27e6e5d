import Foundation
import Testing

/// Compares text with `Golden/<name>.txt`; with `PIXELREC_UPDATE_GOLDEN=1` rewrites the file in the source
/// tree instead (then review the diff and commit it).
enum GoldenFile {
    static var updating: Bool { ProcessInfo.processInfo.environment["PIXELREC_UPDATE_GOLDEN"] == "1" }

    static func sourceURL(_ name: String, file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    }

    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let contents = text + "\n"
        if updating {
            try contents.write(to: sourceURL(name), atomically: true, encoding: .utf8)
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Golden") else {
            Issue.record(
                "missing golden Golden/\(name).txt; run with PIXELREC_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(contents == expected, "help differs from Golden/\(name).txt", sourceLocation: sourceLocation)
    }
}
