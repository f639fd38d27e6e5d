/// The directory and file-name parts of a path, as text (no file-system access).
public enum PathParts {
    /// `path` up to its last `/`, with `.` segments and repeated slashes removed; `.` when it has no directory
    /// part, `/` for a file at the root.
    public static func directory(of path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let directory = parts.dropLast().joined(separator: "/")
        return path.hasPrefix("/") ? "/" + directory : (directory.isEmpty ? "." : directory)
    }

    /// The last component of `path` (`path` itself when it has no `/`).
    public static func fileName(of path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}
