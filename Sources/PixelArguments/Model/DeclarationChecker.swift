/// Finds mistakes in a command tree's declarations (programmer errors, not user errors).
enum DeclarationChecker {
    static func problems(in root: Command) -> [String] {
        var problems: [String] = []
        check(root, ancestors: [], into: &problems)
        return problems
    }

    private static func check(_ command: Command, ancestors: [Command], into problems: inout [String]) {
        let path = (ancestors + [command]).map(\.name).joined(separator: " ")
        func report(_ text: String) { problems.append("'\(path)': \(text)") }

        if !NameSpelling.isKebab(command.name) { report("command name '\(command.name)' is not kebab case") }
        if !ancestors.isEmpty, command.name == "help" { report("'help' is reserved for the help pseudo-subcommand") }
        if !ancestors.isEmpty, command.version != nil { report("only the root command's version is used") }

        // Long spellings and shorts must be unique among this command and its ancestors (inherited options).
        var longOwners: [String: String] = [:]
        var shortOwners: [Character: String] = [:]
        for ancestor in ancestors {
            for argument in ancestor.options {
                for name in argument.longNames { longOwners[name] = "inherited '--\(argument.name)'" }
                if let s = argument.short { shortOwners[s] = "inherited '--\(argument.name)'" }
            }
        }
        var positionalNames: Set<String> = []
        for argument in command.arguments {
            let label = argument.role == .positional ? "<\(argument.name)>" : "--\(argument.name)"
            for name in argument.longNames where !NameSpelling.isKebab(name) {
                report("'\(name)' of '\(label)' is not a kebab-case name")
            }
            if argument.role == .positional {
                if !positionalNames.insert(argument.name).inserted { report("positional '\(label)' declared twice") }
            } else {
                for name in argument.longNames {
                    if ["help", "version"].contains(name) { report("'--\(name)' is reserved") }
                    if let owner = longOwners[name] { report("'--\(name)' of '\(label)' clashes with \(owner)") }
                    longOwners[name] = "'\(label)'"
                }
                if let s = argument.short {
                    if !(s.isASCII && s.isLetter) { report("short name '-\(s)' of '\(label)' is not a letter") }
                    if s == "h" { report("'-h' is reserved for help") }
                    if let owner = shortOwners[s] { report("'-\(s)' of '\(label)' clashes with \(owner)") }
                    shortOwners[s] = "'\(label)'"
                }
            }
            if case let .choice(values) = argument.kind, values.isEmpty || Set(values).count != values.count {
                report("choices of '\(label)' are empty or repeated")
            }
            if case let .integer(range?) = argument.kind, range.lowerBound == range.upperBound {
                report("range of '\(label)' holds a single value")
            }
            if let value = argument.defaultValue {
                if !ValueDecoder.fits(value, kind: argument.kind) {
                    report("default '\(value)' of '\(label)' is not \(argument.kind.expectation)")
                }
                if argument.isRequired { report("'\(label)' is required and has a default") }
            }
        }
        checkPositionalOrder(command.positionals, report: report)
        if !command.subcommands.isEmpty, !command.positionals.isEmpty {
            report("has both subcommands and positionals (a positional would hide misspelled subcommands)")
        }
        var subcommandNames: Set<String> = []
        for subcommand in command.subcommands where !subcommandNames.insert(subcommand.name).inserted {
            report("subcommand '\(subcommand.name)' declared twice")
        }
        for subcommand in command.subcommands {
            check(subcommand, ancestors: ancestors + [command], into: &problems)
        }
    }

    /// Required positionals first, then optional ones, then at most one variadic, last.
    private static func checkPositionalOrder(_ positionals: [Argument], report: (String) -> Void) {
        var sawOptional = false
        for (i, argument) in positionals.enumerated() {
            if argument.isVariadic, i != positionals.count - 1 {
                report("variadic '<\(argument.name)>' is not the last positional")
            }
            if argument.isRequired, sawOptional {
                report("required '<\(argument.name)>' follows an optional positional")
            }
            if !argument.isRequired { sawOptional = true }
        }
    }
}
