import PixelArguments
import Testing

@Suite("Help: generated text, golden files and layout rules")
struct HelpTests {
    static let paths: [[String]] = [
        [], ["split"], ["train"], ["recommend"], ["onnx"], ["onnx", "run"], ["onnx", "inspect"],
    ]

    static func goldenName(_ path: [String]) -> String {
        (["pixelrec"] + path).joined(separator: "-")
    }

    @Test("help matches its golden file", arguments: paths)
    func golden(path: [String]) throws {
        try GoldenFile.check(SampleTree.parser.help(for: path), named: Self.goldenName(path))
    }

    @Test("no line is longer than 80 columns or ends in a space", arguments: paths)
    func width(path: [String]) {
        for line in SampleTree.parser.help(for: path).split(separator: "\n") {
            #expect(line.count <= 80, "\(line)")
            #expect(line.last != " ", "\(line)")
        }
    }

    @Test("descriptions of all sections start in one column", arguments: paths)
    func alignment(path: [String]) {
        let text = SampleTree.parser.help(for: path)
        var columns: Set<Int> = []
        for line in text.split(separator: "\n") where line.hasPrefix("  ") && !line.hasPrefix("   ") {
            // "  label   description": the description starts after the first run of 2+ spaces.
            guard let gap = line.dropFirst(2).range(of: "  ") else { continue }
            let rest = line[gap.upperBound...].drop { $0 == " " }
            if !rest.isEmpty, !line.contains("See '"), !line.hasPrefix("  pixelrec") {
                columns.insert(line.distance(from: line.startIndex, to: rest.startIndex))
            }
        }
        #expect(columns.count == 1, "\(columns)")
    }

    @Test("help lists defaults, choices, ranges, required, repeatable and aliases")
    func notes() {
        // Notes may wrap; compare with runs of whitespace collapsed.
        func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let split = flat(SampleTree.parser.help(for: ["split"]))
        #expect(split.contains("(values: stratified, temporal, leave_one_out, user, item)"))
        #expect(split.contains("(default: stratified)"))
        #expect(split.contains("(default: 42)"))
        #expect(split.contains("(required)"))
        #expect(split.contains("(repeatable)"))
        #expect(split.contains("(aliases: --randomize)"))
        #expect(!split.contains("sample_users"))
        #expect(split.contains("USAGE: pixelrec split --input <path>"))
        let recommend = flat(SampleTree.parser.help(for: ["recommend"]))
        #expect(recommend.contains("(integer in 1...1000)"))
        #expect(recommend.contains("-k, --top-k <top-k>"))
        #expect(recommend.contains("--users <users> ..."))
        #expect(recommend.contains("[<extra> ...]"))
        #expect(recommend.contains("GLOBAL OPTIONS:"))
        #expect(!recommend.contains("--version"))
        #expect(!recommend.contains("_"), "help shows kebab spellings only")
    }

    @Test("long labels put their description on the next line; unicode counts as one column per character")
    func longLabelsAndUnicode() {
        let root = Command(
            name: "tool", abstract: "Größe prüfen — ein Werkzeug.",
            arguments: [
                .option("a-really-long-option-name", valueName: "a-long-placeholder", help: "Wrapped below."),
                .option(
                    "größe",
                    help: "Ünïcödé description that is long enough to wrap across more than a single line of help."),
            ])
        let text = ArgumentParser(root: root).help(for: [])
        #expect(text.contains("  --a-really-long-option-name <a-long-placeholder>\n"))
        for line in text.split(separator: "\n") { #expect(line.count <= 80) }
        #expect(text.contains("OVERVIEW: Größe prüfen — ein Werkzeug."))
    }

    @Test("a long usage line wraps under the command")
    func usageWraps() {
        let arguments = (1...12).map { Argument.option("option-\($0)", help: "Option \($0).") }
        let text = ArgumentParser(root: Command(name: "tool", abstract: "t", arguments: arguments)).help(for: [])
        let usage = text.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("USAGE:") }
            .prefix { !$0.isEmpty }
        #expect(usage.count > 1)
        for line in usage.dropFirst() { #expect(line.hasPrefix("            [--option-")) }
        #expect(usage.joined().contains("[--option-12 <option-12>]"))
    }

    @Test("empty abstract and help, and newlines inside help text, give clean lines")
    func sparseDeclarations() {
        let root = Command(
            name: "tool", abstract: "",
            arguments: [
                .flag("quiet", help: ""),
                .option("mode", help: "First line\nsecond line."),
            ])
        let text = ArgumentParser(root: root).help(for: [])
        #expect(text.hasPrefix("USAGE: tool [--quiet] [--mode <mode>]\n"))
        #expect(text.contains("\n  --quiet\n"))
        #expect(text.contains("  --mode <mode>  First line second line.\n"))
        for line in text.split(separator: "\n") { #expect(line.last != " ") }
    }

    @Test("discussion: paragraphs reflow to 80 columns, indented lines stay verbatim")
    func discussion() {
        let words = Array(repeating: "word", count: 30).joined(separator: " ")
        let root = Command(
            name: "tool", abstract: "t",
            discussion: "\(words)\nmore\n\n\n  pixelrec   keep    spacing\nlast paragraph")
        let text = ArgumentParser(root: root).help(for: [])
        let expected = """
            OVERVIEW: t

            word word word word word word word word word word word word word word word word
            word word word word word word word word word word word word word word more

              pixelrec   keep    spacing
            last paragraph

            USAGE: tool
            """
        #expect(text.hasPrefix(expected))
    }
}
