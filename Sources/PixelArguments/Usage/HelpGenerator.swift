/// Generates a command's help from its declarations: OVERVIEW (abstract), discussion, USAGE, ARGUMENTS,
/// OPTIONS, GLOBAL OPTIONS (inherited from ancestors), SUBCOMMANDS and EXAMPLES, wrapped at 80 columns
/// with the descriptions of all sections aligned in one column.
struct HelpGenerator {
    static let width = 80
    /// Labels longer than this put their description on the next line.
    static let maxLabelWidth = 26

    /// A label and its description in a two-column section.
    struct Row {
        let label: String
        let text: String
    }

    /// The commands from the root to the one described.
    let path: [Command]

    private var command: Command { path[path.count - 1] }
    private var commandLine: String { path.map(\.name).joined(separator: " ") }

    func render() -> String {
        var blocks: [[String]] = []
        if !command.abstract.isEmpty {
            blocks.append(TextWrapper.wrap(command.abstract, first: "OVERVIEW: ", indent: 10, width: Self.width))
        }
        if !command.discussion.isEmpty {
            blocks.append(TextWrapper.paragraphs(command.discussion, width: Self.width))
        }
        blocks.append(UsageFormatter.usage(path: path, width: Self.width))

        let sections = twoColumnSections()
        let longest = sections.flatMap(\.rows).map(\.label.count).max() ?? 0
        let column = 2 + min(longest, Self.maxLabelWidth) + 2
        for section in sections where !section.rows.isEmpty {
            var lines = [section.title + ":"]
            for row in section.rows { lines += format(row, column: column) }
            lines += section.footer
            blocks.append(lines)
        }
        if !command.examples.isEmpty {
            blocks.append(["EXAMPLES:"] + command.examples.map { "  " + $0 })
        }
        return blocks.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    }

    private struct Section {
        let title: String
        let rows: [Row]
        var footer: [String] = []
    }

    private func twoColumnSections() -> [Section] {
        let arguments = command.positionals.map { Row(label: label($0), text: describe($0)) }
        var options = command.options.map { Row(label: label($0), text: describe($0)) }
        options.append(Row(label: "-h, --help", text: "Show help information."))
        if path.count == 1, command.version != nil {
            options.append(Row(label: "--version", text: "Show the version."))
        }
        let globals = path.dropLast().flatMap(\.options).map { Row(label: label($0), text: describe($0)) }
        let subcommands = command.subcommands.map { Row(label: $0.name, text: $0.abstract) }
        return [
            Section(title: "ARGUMENTS", rows: arguments),
            Section(title: "OPTIONS", rows: options),
            Section(title: "GLOBAL OPTIONS", rows: globals),
            Section(
                title: "SUBCOMMANDS", rows: subcommands,
                footer: ["", "  See '\(commandLine) help <subcommand>' for detailed help."]),
        ]
    }

    private func format(_ row: Row, column: Int) -> [String] {
        let label = "  " + row.label
        if label.count + 2 <= column {
            let first = label + String(repeating: " ", count: column - label.count)
            return TextWrapper.wrap(row.text, first: first, indent: column, width: Self.width)
        }
        let pad = String(repeating: " ", count: column)
        return [label] + TextWrapper.wrap(row.text, first: pad, indent: column, width: Self.width)
    }

    /// `-k, --top-k <k>`, `--users <users> ...`, `<files> ...`.
    func label(_ argument: Argument) -> String {
        switch argument.role {
        case .positional:
            return "<\(argument.placeholder)>" + (argument.isVariadic ? " ..." : "")
        case .flag, .option:
            var text = argument.short.map { "-\($0), " } ?? ""
            text += "--" + argument.name
            if argument.role == .option {
                text += " <\(argument.placeholder)>" + (argument.takesMultipleValues ? " ..." : "")
            }
            return text
        }
    }

    /// The help sentence followed by `(values: …)`, `(integer in …)`, `(default: …)`, `(repeatable)`,
    /// `(aliases: …)`, `(required)` / `(optional)` as they apply.
    func describe(_ argument: Argument) -> String {
        var notes: [String] = []
        switch argument.kind {
        case let .choice(values): notes.append("values: " + values.joined(separator: ", "))
        case let .integer(range?): notes.append("integer " + range.phrase)
        default: break
        }
        if let value = argument.defaultValue { notes.append("default: \(value)") }
        if argument.isRepeating { notes.append("repeatable") }
        if !argument.aliases.isEmpty {
            notes.append("aliases: " + argument.aliases.map { "--" + $0 }.joined(separator: ", "))
        }
        if argument.role == .option, argument.isRequired { notes.append("required") }
        if argument.role == .positional, !argument.isRequired { notes.append("optional") }
        return ([argument.help] + notes.map { "(\($0))" }).filter { !$0.isEmpty }.joined(separator: " ")
    }
}
