/// The USAGE line: the command path, then each option and positional in declaration order, then
/// `<subcommand>` for groups; wrapped under the first element when longer than the width.
enum UsageFormatter {
    static func usage(path: [Command], width: Int) -> [String] {
        let command = path[path.count - 1]
        let lead = "USAGE: " + path.map(\.name).joined(separator: " ")
        var elements = command.options.map(element) + command.positionals.map(element)
        if !command.subcommands.isEmpty { elements.append("<subcommand>") }
        var lines: [String] = []
        var line = lead
        let indent = lead.count + 1 <= width / 2 ? lead.count + 1 : 8
        for item in elements {
            if line.count + 1 + item.count > width, line.count > indent {
                lines.append(line)
                line = String(repeating: " ", count: indent - 1)
            }
            line += " " + item
        }
        lines.append(line)
        return lines
    }

    /// `[--seed <seed>]`, `--input <input>`, `[--verbose]`, `--users <users> ...`, `[--set <key=value> ...]`,
    /// `<input>`, `[<extra>]`, `<files> ...`.
    static func element(_ argument: Argument) -> String {
        let placeholder = "<\(argument.placeholder)>"
        switch argument.role {
        case .flag:
            return "[--\(argument.name)]"
        case .option:
            var text = "--\(argument.name) \(placeholder)"
            if argument.takesMultipleValues || argument.isRepeating { text += " ..." }
            return argument.isRequired ? text : "[\(text)]"
        case .positional:
            let text = placeholder + (argument.isVariadic ? " ..." : "")
            return argument.isRequired ? text : "[\(text)]"
        }
    }
}
