/// Parses a command line against a tree of ``Command`` declarations:
/// split (words → tokens) → match (tokens → declared arguments, values decoded) → validate (positionals,
/// required arguments, subcommand) → ``ParseOutcome``.
///
/// ```swift
/// let parser = ArgumentParser(root: Command(name: "pixelrec", abstract: "…", subcommands: [split, train],
///                                           version: "pixelrec 0.1.0"))
/// do {
///     switch try parser.parse(Array(CommandLine.arguments.dropFirst())) {
///     case .run(let invocation): try run(invocation)
///     case .help(let text), .version(let text): print(text)
///     }
/// } catch {
///     printError("error: \(error)")
///     exit(error.exitCode)
/// }
/// ```
public struct ArgumentParser: Sendable {
    /// The tool's command (its name is the first element of every ``Invocation/commandPath``).
    public let root: Command

    /// Creates a parser for the command tree under `root`. Check the tree once with ``declarationProblems``.
    public init(root: Command) {
        self.root = root
    }

    /// Parses `arguments` (without the program name).
    ///
    /// `-h`/`--help` anywhere before `--`, at any level, wins over errors found before it and returns the
    /// help of the deepest command reached.
    ///
    /// - Returns: What to do: run a command, print help, or print the version.
    /// - Throws: ``ParserError`` naming the offending word; its `description` is one line.
    public func parse(_ arguments: [String]) throws(ParserError) -> ParseOutcome {
        let tokens = Splitter.split(arguments)
        let result: Matcher.Result
        do {
            result = try Matcher.match(root: root, tokens: tokens)
        } catch {
            if asksForHelp(tokens) { return .help(HelpGenerator(path: error.path).render()) }
            throw error.error
        }
        switch result {
        case let .help(path):
            return .help(HelpGenerator(path: path).render())
        case let .version(text):
            return .version(text)
        case let .matched(levels):
            return .run(try Validator.validate(levels))
        }
    }

    /// The generated help of the command at `path` (with or without the root's name first: `["onnx", "run"]`
    /// or `["pixelrec", "onnx", "run"]`). Words that name no subcommand are ignored from there on, so the
    /// deepest command found is described. No trailing newline.
    public func help(for path: [String]) -> String {
        var words = path[...]
        if words.first == root.name, root.subcommand(named: root.name) == nil { words = words.dropFirst() }
        var commands = [root]
        for word in words {
            guard let next = commands[commands.count - 1].subcommand(named: word) else { break }
            commands.append(next)
        }
        return HelpGenerator(path: commands).render()
    }

    /// Mistakes in the declarations themselves (duplicate names, bad defaults, misplaced positionals, …),
    /// one line each naming the command and argument; empty when the tree is sound. Call it from a test.
    public var declarationProblems: [String] {
        DeclarationChecker.problems(in: root)
    }

    private func asksForHelp(_ tokens: [Token]) -> Bool {
        tokens.contains { $0.kind == .long(name: "help", value: nil) || $0.kind == .short("h") }
    }
}
