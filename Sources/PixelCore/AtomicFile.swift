import Foundation

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
    /// The temporary file is removed when `body` throws (its error is rethrown unchanged), so a failed
    /// write leaves nothing behind.
    public static func write(to path: String, alsoAs others: [String] = [], _ body: (FileHandle) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PixelError.io(path: directory, reason: "cannot create directory")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw PixelError.io(path: temporary, reason: "cannot create temporary file")
        }
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            unlink(temporary)
            throw PixelError.io(path: temporary, reason: "cannot open temporary file")
        }
        do {
            defer { try? handle.close() }
            try body(handle)  // the caller's own errors pass through unchanged
            try handle.synchronize()
        } catch {
            unlink(temporary)
            throw error
        }
        for other in others {
            let otherTemporary = other + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
            let linked =
                link(temporary, otherTemporary) == 0
                || (try? FileManager.default.copyItem(atPath: temporary, toPath: otherTemporary)) != nil
            guard linked, rename(otherTemporary, other) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(otherTemporary)
                unlink(temporary)
                throw PixelError.io(path: other, reason: "cannot put into place: \(reason)")
            }
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PixelError.io(path: path, reason: "cannot rename into place: \(reason)")
        }
    }
}
