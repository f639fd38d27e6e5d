/// What the command line asked for.
public enum ParseOutcome: Sendable {
    /// Run the command at ``Invocation/commandPath`` with the parsed values.
    case run(Invocation)
    /// Print this generated help text (no trailing newline) and exit 0: `-h`, `--help` or `help <command>`.
    case help(String)
    /// Print this version text (the root's `version`, as declared) and exit 0: `--version`.
    case version(String)
}
