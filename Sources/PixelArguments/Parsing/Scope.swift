/// The flags and options visible while parsing one command: its own, then those of its ancestors
/// (nearest first), looked up by long spelling (kebab or snake) or short name.
struct Scope: Sendable {
    /// A visible flag or option and the depth (0 = root) of the command declaring it.
    struct Binding: Sendable {
        let argument: Argument
        let depth: Int
    }

    private var long: [String: Binding] = [:]
    private var short: [Character: Binding] = [:]
    /// Every accepted long spelling in kebab form, own arguments first, for suggestions.
    private(set) var suggestionCandidates: [String] = []

    /// - Parameter path: The commands from the root to the one being parsed.
    init(path: [Command]) {
        for depth in stride(from: path.count - 1, through: 0, by: -1) {
            for argument in path[depth].options {
                let binding = Binding(argument: argument, depth: depth)
                for name in argument.longNames {
                    for spelling in NameSpelling.accepted(name) where long[spelling] == nil {
                        long[spelling] = binding
                    }
                    suggestionCandidates.append("--" + name)
                }
                if let s = argument.short, short[s] == nil { short[s] = binding }
            }
        }
        suggestionCandidates.append("--help")
        if path.count == 1, path[0].version != nil { suggestionCandidates.append("--version") }
    }

    func lookup(long name: String) -> Binding? { long[name] }
    func lookup(short name: Character) -> Binding? { short[name] }
}
