#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about the process's standard streams.
public enum Terminal {
    /// Whether standard error is an interactive terminal (progress bars go there).
    public static var stderrIsTTY: Bool { isatty(2) == 1 }

    /// Whether standard output is an interactive terminal.
    public static var stdoutIsTTY: Bool { isatty(1) == 1 }

    /// The width of standard error's terminal, 80 when unknown.
    public static var width: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Makes standard output line-buffered, so piped output appears line by line.
    public static func lineBufferStdout() {
        // `stdout` is a C global Swift 6 will not touch; look the variable up by its symbol instead.
        guard let symbol = dlsym(nil, "stdout") else { return }
        let stream = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
        setvbuf(stream, nil, _IOLBF, 0)
    }

    /// Writes `text` to standard error unbuffered.
    public static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
