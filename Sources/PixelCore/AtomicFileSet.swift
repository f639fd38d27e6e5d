import Foundation

/// Commits the files of one output folder as a set: a reader sees the previous set or the new one, never
/// a mix (a new `train.csv` beside an older `val.csv`).
///
/// `body` writes the set into a hidden staging folder beside the destination
/// (`<parent>/.<name>.tmp-<pid>-<n>`). Only when it has succeeded is the destination replaced by it:
/// entries of the old folder that are not part of the new set (say `images/` of a preprocess run) are first
/// hard-linked into the staging folder, then the two folders swap names in one `renameat2(RENAME_EXCHANGE)`
/// (or, where the kernel lacks it, old → `.<name>.old-<pid>-<n>`, staging → destination), and the old set is
/// removed. A failed or interrupted run leaves the previous set untouched; its staging folder is removed
/// then, or by the next run when the process died.
public enum AtomicFileSet {
    /// Writes the set of files `body` puts into the folder it is given, then puts that folder in place of
    /// `directory`.
    ///
    /// Errors naming the staging folder are re-pointed at `directory`; raw system errors are put in words.
    /// When `directory` is the working folder or one of its parents (which cannot be swapped), the files are
    /// written straight into it, each still atomically.
    /// - Parameter owned: names of entries that belong to the set even when this run does not write them
    ///   (an earlier run's `images/`): they are not carried over from the old folder.
    public static func write(directory: String, owning owned: Set<String> = [], _ body: (String) throws -> Void) throws
    {
        let final = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let url = URL(fileURLWithPath: final)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        if containsWorkingDirectory(final) || name.isEmpty || name == "/" {
            try body(final)
            return
        }
        try AtomicFile.makeDirectory(parent)
        AtomicFile.removeStaleTemporaries(in: parent, always: true)
        let staging = parent + "/" + AtomicFile.temporaryName(for: name)
        guard mkdir(staging, 0o777) == 0 else { throw IOFailure.error(path: final, errno: errno) }
        do {
            try body(staging)
            try commit(staging: staging, to: final, parent: parent, name: name, owned: owned)
        } catch {
            removeTree(staging)
            throw AtomicFile.translate(error, temporary: staging, path: final)
        }
    }

    /// Puts the complete set `staging` in place of `final`.
    static func commit(staging: String, to final: String, parent: String, name: String, owned: Set<String>) throws {
        var status = stat()
        guard lstat(final, &status) == 0 else {
            guard errno == ENOENT else { throw IOFailure.error(path: final, errno: errno) }
            guard rename(staging, final) == 0 else { throw IOFailure.error(path: final, errno: errno) }
            syncDirectory(parent)
            return
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw PixelError.io(path: final, reason: "not a folder") }
        // Entries that are not part of the new set stay: linked (files) or rebuilt (folders) into it.
        let names = try contents(of: final)
        // Temporary files of the old folder (an interrupted write's) are not carried over.
        for entry in names
        where !owned.contains(entry) && AtomicFile.leftoverOwner(entry) == nil && !exists(staging + "/" + entry) {
            try linkTree(final + "/" + entry, staging + "/" + entry, report: final + "/" + entry)
        }
        if exchange(staging, final) {
            syncDirectory(parent)
            removeTree(staging)  // now the old set
            return
        }
        let old = parent + "/." + name + ".old-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard rename(final, old) == 0 else { throw IOFailure.error(path: final, errno: errno) }
        guard rename(staging, final) == 0 else {
            let code = errno
            _ = rename(old, final)
            throw IOFailure.error(path: final, errno: code)
        }
        syncDirectory(parent)
        removeTree(old)
    }

    /// Swaps two paths atomically with `renameat2(…, RENAME_EXCHANGE)` (glibc ≥ 2.28, looked up by
    /// symbol); false when the call or the file system does not offer it.
    static func exchange(_ a: String, _ b: String) -> Bool {
        guard let renameat2 else { return false }
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, 2) == 0  // RENAME_EXCHANGE
    }

    private static let renameat2:
        (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
            #if os(Linux)
                guard let symbol = dlsym(nil, "renameat2") else { return nil }
                return unsafeBitCast(
                    symbol,
                    to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)
                        .self)
            #else
                return nil
            #endif
        }()

    /// Re-creates `source` at `target`: files as hard links (a copy where linking fails), symbolic links as
    /// such, folders entry by entry.
    static func linkTree(_ source: String, _ target: String, report: String) throws {
        var status = stat()
        guard lstat(source, &status) == 0 else {
            if errno == ENOENT { return }  // removed meanwhile
            throw IOFailure.error(path: report, errno: errno)
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            guard mkdir(target, status.st_mode & 0o7777) == 0 else { throw IOFailure.error(path: report, errno: errno) }
            for entry in try contents(of: source) {
                try linkTree(source + "/" + entry, target + "/" + entry, report: report + "/" + entry)
            }
        case S_IFLNK:
            let destination = try FileManager.default.destinationOfSymbolicLink(atPath: source)
            guard symlink(destination, target) == 0 else { throw IOFailure.error(path: report, errno: errno) }
        default:
            if link(source, target) == 0 { return }
            do { try FileManager.default.copyItem(atPath: source, toPath: target) } catch {
                throw IOFailure.error(path: report, error)
            }
        }
    }

    static func contents(of directory: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw IOFailure.error(path: directory, error)
        }
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Whether `path` is the working folder or one of its parents (swapping it would move the process).
    static func containsWorkingDirectory(_ path: String) -> Bool {
        guard let folder = realpath(path, nil) else { return false }
        defer { free(folder) }
        let resolved = String(cString: folder)
        guard let here = realpath(".", nil) else { return true }
        defer { free(here) }
        let working = String(cString: here)
        return working == resolved || resolved == "/" || working.hasPrefix(resolved + "/")
    }
}
