import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Streams bytes into an open file through an aligned staging buffer with `O_DIRECT` (Linux), so large
/// files (checkpoints) go from the buffer to the disk without first being copied into the page cache —
/// that copy was most of a checkpoint's CPU time. Where the file system refuses `O_DIRECT` the same chunks
/// are written normally, with disk writeback started after each (see ``AtomicFile/beginWriteback(_:offset:count:)``).
///
/// Usage: ``append(_:)`` the bytes in order, then ``finish()`` (writes the last, padded block and cuts the
/// file to the exact length). Writes start at offset 0 of the file.
public final class UnbufferedWriter {
    /// Alignment of the staging buffer, file offsets and write sizes (covers 512- and 4096-byte sectors).
    static let block = 4096
    /// Bytes per write.
    static let chunk = 8 << 20

    let handle: FileHandle
    let path: String
    let staging: UnsafeMutableRawPointer
    var filled = 0
    var offset = 0
    var direct = false
    let originalFlags: Int32

    /// - Parameters:
    ///   - handle: a file opened for writing, empty.
    ///   - path: named in errors.
    public init(handle: FileHandle, path: String) {
        self.handle = handle
        self.path = path
        staging = UnsafeMutableRawPointer.allocate(byteCount: Self.chunk, alignment: Self.block)
        let fd = handle.fileDescriptor
        originalFlags = fcntl(fd, F_GETFL)
        #if os(Linux) && arch(x86_64)
            let oDirect: Int32 = 0o40000
        #elseif os(Linux) && arch(arm64)
            let oDirect: Int32 = 0o200000
        #else
            let oDirect: Int32 = 0
        #endif
        if oDirect != 0, originalFlags >= 0 { direct = fcntl(fd, F_SETFL, originalFlags | oDirect) == 0 }
    }

    deinit { staging.deallocate() }

    /// Appends `bytes` to the file.
    /// - Throws: `PixelError.io` naming the path when a write fails.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var source = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = min(remaining, Self.chunk - filled)
            (staging + filled).copyMemory(from: source, byteCount: n)
            filled += n
            source += n
            remaining -= n
            if filled == Self.chunk { try flush(count: Self.chunk) }
        }
    }

    /// Appends the bytes of `data`.
    public func append(_ data: Data) throws {
        try data.withUnsafeBytes { try append($0) }
    }

    /// Writes what is left and sets the file's length to the bytes appended.
    public func finish() throws {
        let length = offset + filled
        if filled > 0 {
            let padded = (filled + Self.block - 1) / Self.block * Self.block
            (staging + filled).initializeMemory(as: UInt8.self, repeating: 0, count: padded - filled)
            try flush(count: padded)
        }
        guard ftruncate(handle.fileDescriptor, off_t(length)) == 0 else { throw failure(errno) }
        _ = fcntl(handle.fileDescriptor, F_SETFL, originalFlags)
    }

    /// Writes the first `count` staged bytes at `offset`.
    func flush(count: Int) throws {
        var done = 0
        while done < count {
            let written = pwrite(handle.fileDescriptor, staging + done, count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                if direct && errno == EINVAL {
                    // The file system accepted the flag but not the write: continue through the page cache.
                    direct = false
                    _ = fcntl(handle.fileDescriptor, F_SETFL, originalFlags)
                    continue
                }
                throw failure(errno)
            }
            done += written
        }
        if !direct { AtomicFile.beginWriteback(handle, offset: offset, count: count) }
        offset += count
        filled = 0
    }

    /// `<path>: <errno in words>` (see ``IOFailure``).
    func failure(_ code: Int32) -> PixelError { IOFailure.error(path: path, errno: code) }
}
