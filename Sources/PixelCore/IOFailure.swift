import Foundation

/// The one place that turns operating-system I/O failures (an `errno`, a Foundation `NSError`) into the
/// words pixelrec prints: `error: <path>: <reason in words>`, e.g. `no space left on device`.
public enum IOFailure {
    /// `errno` in words, lower case: `no space left on device`, `permission denied`, …
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case ENOENT: return "no such file or directory"
        case ENOTDIR: return "a folder in the path is not a folder"
        case EISDIR: return "is a directory"
        case EEXIST: return "already exists"
        case EIO: return "input/output error"
        case EFBIG: return "file too large"
        case ENAMETOOLONG: return "file name too long"
        case EMFILE, ENFILE: return "too many open files"
        case ELOOP: return "too many levels of symbolic links"
        case EXDEV: return "crosses file systems"
        case ENOTEMPTY: return "folder not empty"
        case EBUSY: return "device or resource busy"
        default:
            let text = String(cString: strerror(code))
            guard let first = text.first else { return "I/O error \(code)" }
            return first.lowercased() + text.dropFirst()
        }
    }

    /// A Foundation or POSIX error in words (the underlying `errno` when the error carries one).
    public static func reason(_ error: Error) -> String {
        if let error = error as? PixelError, case let .io(_, reason) = error { return reason }
        let ns = error as NSError
        if let code = errnoCode(ns) { return reason(errno: code) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue:
                return "no such file or directory"
            case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue:
                return "permission denied"
            case CocoaError.fileWriteOutOfSpace.rawValue: return "no space left on device"
            case CocoaError.fileWriteVolumeReadOnly.rawValue: return "read-only file system"
            case CocoaError.fileWriteFileExists.rawValue: return "already exists"
            case CocoaError.fileReadInvalidFileName.rawValue, CocoaError.fileWriteInvalidFileName.rawValue:
                return "invalid file name"
            case CocoaError.fileReadTooLarge.rawValue: return "file too large"
            case CocoaError.fileReadInapplicableStringEncoding.rawValue: return "not valid text"
            case CocoaError.fileReadCorruptFile.rawValue: return "file is corrupt"
            case CocoaError.fileReadUnknown.rawValue: return "cannot read"
            case CocoaError.fileWriteUnknown.rawValue: return "cannot write"
            case CocoaError.fileLocking.rawValue: return "file is locked"
            default: break
            }
        }
        return "I/O error (\(ns.domain) \(ns.code))"
    }

    /// `PixelError.io` naming `path` with `errno` in words.
    public static func error(path: String, errno code: Int32) -> PixelError {
        .io(path: path, reason: reason(errno: code))
    }

    /// `PixelError.io` naming `path` with `error` in words.
    public static func error(path: String, _ error: Error) -> PixelError {
        .io(path: path, reason: reason(error))
    }

    /// Whether `error` is a raw Foundation/POSIX I/O error (not one of pixelrec's own error types).
    public static func isSystemError(_ error: Error) -> Bool {
        if error is PixelError { return false }
        let ns = error as NSError
        return ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain
    }

    /// The file a Foundation error names (`NSFilePath` / `NSURL` of its user info), if any.
    public static func path(of error: Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        if let url = info[NSURLErrorKey] as? URL { return url.path }
        return nil
    }

    /// The POSIX code inside a Foundation error: its own (POSIX domain) or its underlying error's.
    static func errnoCode(_ error: NSError) -> Int32? {
        if error.domain == NSPOSIXErrorDomain { return Int32(truncatingIfNeeded: error.code) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError { return errnoCode(underlying) }
        return nil
    }
}
