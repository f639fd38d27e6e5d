import Foundation

/// The files and folders one command reads and writes, checked before it does any work: an output that
/// is also one of its inputs is refused, so that no command overwrites what it reads.
///
/// Paths are compared as the operating system sees them: symbolic links and `..` resolved (the parent
/// folder of an output that does not exist yet), and existing files also by device and inode, so a hard
/// link of an input is the input. A folder output (written into, or replaced as a whole) conflicts with
/// every input inside it; an input folder (images, a model folder) conflicts with every output inside it.
///
/// ```swift
/// var paths = CommandPaths()
/// paths.input(checkpoint, "--checkpoint")
/// paths.output(output, "--output")
/// try paths.check()   // error: c.ckpt: is also an input (--checkpoint); choose another output
/// ```
public struct CommandPaths: Sendable {
    struct Entry: Sendable {
        var path: String
        var role: String
        var isDirectory: Bool
    }

    var inputs: [Entry] = []
    var outputs: [Entry] = []

    public init() {}

    /// Adds an input file, or a folder read as a whole (`directory: true`); `nil` or empty paths are skipped.
    /// `role` names it in the error: the option or configuration key it came from.
    public mutating func input(_ path: String?, _ role: String, directory: Bool = false) {
        guard let path, !path.isEmpty else { return }
        inputs.append(Entry(path: path, role: role, isDirectory: directory))
    }

    /// Adds an output file, or a folder the command writes into or replaces (`directory: true`).
    public mutating func output(_ path: String?, _ role: String, directory: Bool = false) {
        guard let path, !path.isEmpty else { return }
        outputs.append(Entry(path: path, role: role, isDirectory: directory))
    }

    /// - Throws: `PixelError.io` naming the first output that is, contains, or lies inside an input:
    ///   `<output>: is also an input (<role> [<input path>]); choose another output`.
    public func check() throws {
        let resolvedInputs = inputs.map { (entry: $0, resolved: Self.resolve($0.path), id: Self.fileID($0.path)) }
        for output in outputs {
            let resolved = Self.resolve(output.path)
            let id = Self.fileID(output.path)
            for input in resolvedInputs where input.entry.path != output.path || input.entry.role != output.role {
                let same = resolved == input.resolved || (id != nil && id == input.id)
                let inputInsideOutput = output.isDirectory && Self.isInside(input.resolved, resolved)
                let outputInsideInput = input.entry.isDirectory && Self.isInside(resolved, input.resolved)
                guard same || inputInsideOutput || outputInsideInput else { continue }
                let which =
                    input.entry.path == output.path ? input.entry.role : "\(input.entry.role) \(input.entry.path)"
                throw PixelError.io(path: output.path, reason: "is also an input (\(which)); choose another output")
            }
        }
    }

    /// Whether `path` is strictly inside `folder` (both resolved).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" ? path != "/" : path.hasPrefix(folder + "/")
    }

    /// Device and inode of an existing file (following symbolic links).
    static func fileID(_ path: String) -> [UInt64]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }

    /// The absolute path with symbolic links resolved: of the path itself when it exists, else of its
    /// nearest existing ancestor followed by the rest.
    public static func resolve(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var rest: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                var result = String(cString: real)
                for component in rest.reversed() { result += (result == "/" ? "" : "/") + component }
                return result
            }
            let url = URL(fileURLWithPath: existing)
            let parent = url.deletingLastPathComponent().path
            if parent == existing || parent.isEmpty { return absolute }
            rest.append(url.lastPathComponent)
            existing = parent
        }
    }
}
