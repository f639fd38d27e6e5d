/// How an error message names an argument.
public enum ArgumentReference: Sendable, Equatable, CustomStringConvertible {
    /// An option or flag by its canonical long spelling with dashes: `--top-k`.
    case option(String)
    /// A positional argument by name: `input` (shown as `<input>`).
    case positional(String)

    /// `option '--top-k'` or `argument '<input>'`.
    public var description: String {
        switch self {
        case let .option(spelling): return "option '\(spelling)'"
        case let .positional(name): return "argument '<\(name)>'"
        }
    }
}
