/// The "validate" step: binds positional values to declarations, checks that nothing required is missing,
/// and builds the ``Invocation``.
enum Validator {
    static func validate(_ levels: [Matcher.Level]) throws(ParserError) -> Invocation {
        let names = levels.map(\.command.name)
        guard let leaf = levels.last?.command else {
            return Invocation(commandPath: [], entries: [:])
        }
        if !leaf.subcommands.isEmpty, leaf.positionals.isEmpty {
            throw .missingSubcommand(command: names, available: leaf.subcommands.map(\.name))
        }
        var entries: [String: Invocation.Entry] = [:]
        for (depth, level) in levels.enumerated() {
            let command = Array(names[...depth])
            var values = level.values
            for (name, bound) in try bindPositionals(level.positionals, to: level.command.positionals, command: command)
            {
                values[name] = bound
            }
            for argument in level.command.arguments {
                let given = values[argument.name] ?? []
                if argument.isRequired, given.isEmpty {
                    throw .missingRequired(argument.reference, command: command)
                }
                entries[argument.name] = Invocation.Entry(argument: argument, values: given)
            }
        }
        return Invocation(commandPath: names, entries: entries)
    }

    /// Assigns values in order: one to each non-variadic positional, the rest to a trailing variadic one.
    ///
    /// - Throws: ``ParserError/unexpectedArgument(_:command:)`` for values left over, after checking each
    ///   value's kind.
    static func bindPositionals(
        _ values: [String], to declared: [Argument], command: [String]
    ) throws(ParserError) -> [String: [String]] {
        var bound: [String: [String]] = [:]
        var next = 0
        for argument in declared where next < values.count {
            let count = argument.isVariadic ? values.count - next : 1
            let slice = Array(values[next..<next + count])
            for value in slice {
                try ValueDecoder.check(value, kind: argument.kind, for: argument.reference)
            }
            bound[argument.name] = slice
            next += count
        }
        if next < values.count {
            throw .unexpectedArgument(values[next], command: command)
        }
        return bound
    }
}
