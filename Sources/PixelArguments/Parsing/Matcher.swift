/// The "match" step: walks the tokens, descends into subcommands, binds flags and option values to their
/// declarations and decodes each value as soon as it is bound.
struct Matcher {
    /// What one command along the path received.
    struct Level: Sendable {
        let command: Command
        /// Values by declared long name; a flag gets one `""` per occurrence.
        var values: [String: [String]] = [:]
        /// Positional values in order, bound to declarations by ``Validator``.
        var positionals: [String] = []
    }

    enum Result {
        /// Help requested for the commands from the root to `path.last`.
        case help([Command])
        case version(String)
        case matched([Level])
    }

    /// A failure, with the commands reached so far (a later `--help` shows that command's help).
    struct Failure: Error {
        let error: ParserError
        let path: [Command]
    }

    private let tokens: [Token]
    private var index = 0
    private var levels: [Level]
    private var scope: Scope
    private var optionsEnded = false

    init(root: Command, tokens: [Token]) {
        self.tokens = tokens
        self.levels = [Level(command: root)]
        self.scope = Scope(path: [root])
    }

    private var path: [Command] { levels.map(\.command) }
    private var commandNames: [String] { levels.map(\.command.name) }

    static func match(root: Command, tokens: [Token]) throws(Failure) -> Result {
        var matcher = Matcher(root: root, tokens: tokens)
        do {
            return try matcher.run()
        } catch {
            throw Failure(error: error, path: matcher.path)
        }
    }

    private mutating func run() throws(ParserError) -> Result {
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .terminator:
                optionsEnded = true
            case let .long(name, value):
                if let early = try matchLong(name: name, value: value, raw: token.raw) { return early }
            case let .short(cluster):
                if let early = try matchShort(cluster, raw: token.raw) { return early }
            case let .value(word):
                if let early = try matchValue(word) { return early }
            }
        }
        return .matched(levels)
    }

    // MARK: Long options

    private mutating func matchLong(name: String, value: String?, raw: String) throws(ParserError) -> Result? {
        let spelling = name.isEmpty ? raw : "--" + name
        if name == "help" || (name == "version" && levels.count == 1 && levels[0].command.version != nil) {
            if let value { throw .unexpectedValue(.option(spelling), value: value, command: commandNames) }
            return name == "help" ? .help(path) : .version(levels[0].command.version ?? "")
        }
        guard let binding = scope.lookup(long: name) else {
            throw .unknownOption(
                spelling, command: commandNames,
                suggestion: Suggestion.closest(to: spelling, among: scope.suggestionCandidates))
        }
        try bind(binding, attached: value)
        return nil
    }

    // MARK: Short clusters

    private mutating func matchShort(_ cluster: String, raw: String) throws(ParserError) -> Result? {
        var rest = Substring(cluster)
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "h" {
                if rest.first == "=" {
                    throw .unexpectedValue(.option("--help"), value: String(rest.dropFirst()), command: commandNames)
                }
                return .help(path)
            }
            guard let binding = scope.lookup(short: c) else {
                // `-sample-users`: a long name typed with one dash.
                if cluster.count > 2 {
                    let suggestion = Suggestion.closest(to: "--" + cluster, among: scope.suggestionCandidates)
                    if suggestion != nil { throw .unknownOption(raw, command: commandNames, suggestion: suggestion) }
                }
                // `-X` for `-x`: the same letter in the other case.
                let flipped = c.isUppercase ? Character(c.lowercased()) : Character(c.uppercased())
                let caseSuggestion = flipped != c && scope.lookup(short: flipped) != nil ? "-\(flipped)" : nil
                throw .unknownOption("-" + String(c), command: commandNames, suggestion: caseSuggestion)
            }
            if binding.argument.role == .flag {
                if rest.first == "=" {
                    throw .unexpectedValue(
                        binding.argument.reference, value: String(rest.dropFirst()), command: commandNames)
                }
                try bind(binding, attached: nil)
                continue
            }
            // An option ends the cluster: the rest (`-k10`, `-k=10`) is its value, or the next word is.
            let attached = rest.isEmpty ? nil : String(rest.first == "=" ? rest.dropFirst() : rest)
            try bind(binding, attached: attached)
            return nil
        }
        return nil
    }

    // MARK: Values

    private mutating func matchValue(_ word: String) throws(ParserError) -> Result? {
        let current = levels[levels.count - 1]
        let command = current.command
        if !optionsEnded, current.positionals.isEmpty, !command.subcommands.isEmpty {
            if word == "help", command.subcommand(named: "help") == nil {
                return try helpPseudoSubcommand()
            }
            if let subcommand = command.subcommand(named: word) {
                levels.append(Level(command: subcommand))
                scope = Scope(path: path)
                return nil
            }
            if command.positionals.isEmpty {
                throw .unknownSubcommand(
                    word, command: commandNames,
                    suggestion: Suggestion.closest(to: word, among: command.subcommands.map(\.name)))
            }
        }
        levels[levels.count - 1].positionals.append(word)
        return nil
    }

    /// `help a b` shows the help of subcommand `a b` of the current command; words after an option are ignored.
    private mutating func helpPseudoSubcommand() throws(ParserError) -> Result {
        var target = path
        while index < tokens.count, case let .value(word) = tokens[index].kind {
            index += 1
            let last = target[target.count - 1]
            guard let subcommand = last.subcommand(named: word) else {
                throw .unknownSubcommand(
                    word, command: target.map(\.name),
                    suggestion: Suggestion.closest(to: word, among: last.subcommands.map(\.name)))
            }
            target.append(subcommand)
        }
        return .help(target)
    }

    // MARK: Binding

    /// Records one occurrence of a flag or option; an option without `attached` value takes the next word(s).
    private mutating func bind(_ binding: Scope.Binding, attached: String?) throws(ParserError) {
        let argument = binding.argument
        let reference = argument.reference
        let previous = levels[binding.depth].values[argument.name]
        if argument.role == .flag {
            if let attached { throw .unexpectedValue(reference, value: attached, command: commandNames) }
            levels[binding.depth].values[argument.name, default: []].append("")
            return
        }
        if previous != nil, !argument.isRepeating {
            throw .duplicateOption(reference, command: commandNames)
        }
        var taken: [String] = []
        if let attached {
            taken.append(attached)
        } else if let word = nextValue(stopAtSubcommand: false) {
            taken.append(word)
            if argument.takesMultipleValues {
                while let word = nextValue(stopAtSubcommand: true) { taken.append(word) }
            }
        } else {
            throw .missingValue(reference, valueName: argument.placeholder, command: commandNames)
        }
        for value in taken {
            try ValueDecoder.check(value, kind: argument.kind, for: reference)
        }
        levels[binding.depth].values[argument.name, default: []].append(contentsOf: taken)
    }

    /// Consumes the next word if it is a value (not an option, not `--`). With `stopAtSubcommand` (the second
    /// and later values of a `multiple` option) a word naming a subcommand of the current command ends the list.
    private mutating func nextValue(stopAtSubcommand: Bool) -> String? {
        guard index < tokens.count, case let .value(word) = tokens[index].kind else { return nil }
        let command = levels[levels.count - 1].command
        if stopAtSubcommand, levels[levels.count - 1].positionals.isEmpty, command.positionals.isEmpty,
            command.subcommand(named: word) != nil || (word == "help" && !command.subcommands.isEmpty)
        {
            return nil
        }
        index += 1
        return word
    }
}
