import Foundation
import Synchronization

/// Writes files so that a reader never sees a half-written one.
///
/// The bytes go to a temporary file in the destination's directory, are flushed with `fsync`, and the
/// temporary file is renamed over the destination (`rename(2)` is atomic within one file system). An
/// interrupted run therefore leaves the previous good file intact.
public enum AtomicFile {
    /// Atomically replaces `path` with `data`, creating parent directories when needed.
    /// - Throws: `PixelError.io` naming the path when any step fails.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { handle in try handle.write(contentsOf: data) }
    }

    /// Atomically replaces `path` and every path of `others` (same directory) with `data`, writing it once:
    /// the other paths become hard links to the new file (a copy where the file system has none), each
    /// renamed into place before `path`. A later atomic replacement of one path leaves the others intact.
    public static func write(_ data: Data, to path: String, alsoAs others: [String]) throws {
        try write(to: path, alsoAs: others) { handle in try handle.write(contentsOf: data) }
    }

    /// Atomically replaces `path` with UTF-8 `text`.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Starts writing the file's bytes `offset ..< offset + count` to disk without waiting (Linux
    /// `sync_file_range(SYNC_FILE_RANGE_WRITE)`; a no-op elsewhere), so a large file's disk writes overlap
    /// the rest of its writing and the final `fsync` has less left to wait for. Durability still comes
    /// from that `fsync`.
    public static func beginWriteback(_ handle: FileHandle, offset: Int, count: Int) {
        guard let syncFileRange else { return }
        _ = syncFileRange(handle.fileDescriptor, Int64(offset), Int64(count), 2)  // SYNC_FILE_RANGE_WRITE
    }

    /// glibc's `sync_file_range` (a GNU extension the Glibc module does not export), looked up by symbol.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
            guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// Atomically replaces `path` with what `body` writes into the handle it is given.
    ///
    /// The temporary file is removed when `body` throws. The caller's own errors are rethrown unchanged;
    /// operating-system failures (a Foundation write error, `ENOSPC` at `fsync`, a read-only folder) become
    /// `PixelError.io` naming `path` — never the temporary file — with the reason in words (see ``IOFailure``).
    /// Temporary files left by an interrupted earlier run (their process is gone) are removed first.
    public static func write(to path: String, alsoAs others: [String] = [], _ body: (FileHandle) throws -> Void) throws
    {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        try makeDirectory(directory)
        removeStaleTemporaries(in: directory)
        let temporary = directory + "/" + temporaryName(for: url.lastPathComponent)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw IOFailure.error(path: path, errno: errno) }
        do {
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
            defer { close(fd) }
            try body(handle)
            guard fsync(fd) == 0 else { throw IOFailure.error(path: path, errno: errno) }
        } catch {
            unlink(temporary)
            throw translate(error, temporary: temporary, path: path)
        }
        for other in others {
            let otherURL = URL(fileURLWithPath: other)
            let otherTemporary =
                otherURL.deletingLastPathComponent().path + "/" + temporaryName(for: otherURL.lastPathComponent)
            var failure: Int32 = 0
            if link(temporary, otherTemporary) != 0 {
                do { try FileManager.default.copyItem(atPath: temporary, toPath: otherTemporary) } catch {
                    failure = IOFailure.errnoCode(error as NSError) ?? EIO
                }
            }
            if failure == 0 && rename(otherTemporary, other) != 0 { failure = errno }
            if failure != 0 {
                unlink(otherTemporary)
                unlink(temporary)
                throw IOFailure.error(path: other, errno: failure)
            }
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw IOFailure.error(path: path, errno: code)
        }
    }

    /// `.<name>.tmp-<pid>-<random>`: hidden, and marked with the writing process so that a later run can
    /// tell an interrupted run's leftovers from a live writer's file.
    static func temporaryName(for name: String) -> String {
        ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    }

    /// Creates `directory` and its parents.
    /// - Throws: `PixelError.io` naming the first folder that cannot be created, with the reason in words.
    public static func makeDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw PixelError.io(path: directory, reason: "not a folder") }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != directory { try makeDirectory(parent) }
        if mkdir(directory, 0o777) != 0 && errno != EEXIST { throw IOFailure.error(path: directory, errno: errno) }
    }

    /// An error from writing the temporary file, as the user should see it: raw system errors in words and
    /// the temporary file's name replaced by `path`.
    static func translate(_ error: Error, temporary: String, path: String) -> Error {
        if let error = error as? any PathRenamingError { return error.renamingPath(temporary, to: path) }
        if IOFailure.isSystemError(error) { return IOFailure.error(path: path, error) }
        return error
    }

    // MARK: - Leftovers of interrupted runs

    /// Folders already swept in this process (a folder is listed once, however many files go into it).
    private static let swept = Mutex<Set<String>>([])

    /// Removes `.<name>.tmp-<pid>-…` and `.<name>.old-<pid>-…` entries (files or folders) of `directory`
    /// whose process no longer runs: what an interrupted write or set commit left behind.
    /// - Parameter always: list the folder even when this process has swept it before (a set commit's
    ///   parent, listed once per commit); per-file writes list a folder once per process.
    public static func removeStaleTemporaries(in directory: String, always: Bool = false) {
        let first = swept.withLock { $0.insert(directory).inserted }
        guard first || always, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            return
        }
        for name in names where name.hasPrefix(".") {
            guard let pid = leftoverOwner(name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// The process id in a temporary or old-set name (`.x.tmp-<pid>-<n>`, `.x.old-<pid>-<n>`), if it is one.
    static func leftoverOwner(_ name: String) -> pid_t? {
        for marker in [".tmp-", ".old-"] {
            guard let range = name.range(of: marker, options: .backwards) else { continue }
            let parts = name[range.upperBound...].split(separator: "-")
            guard parts.count == 2, UInt32(parts[1]) != nil, let pid = pid_t(parts[0]), pid > 0 else { continue }
            return pid
        }
        return nil
    }
}
