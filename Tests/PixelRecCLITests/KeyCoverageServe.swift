import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `serving:` keys' probe for ``KeyCoverageTests``: trains in a fresh workspace, starts `pixelrec serve`
/// with the settings on a free port, sends a fixed set of requests (a user's list with k = 30, a history body
/// of 1.5 KB with five items, `POST /admin/reload`, and a connection left idle for 2.5 s), stops the server
/// with SIGTERM and records each reply (status and body: the model version in them is the checkpoint's
/// checksum, the same in every run) and what the server printed.
extension KeyCoveragePipeline {
    func serve(_ settings: [String]) throws -> Observation {
        let workspace = try freshWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        var outcome = Outcome()
        let (failure, messages) = try runStages(Array(Self.stages.prefix(4)), settings: settings, in: workspace)
        if let failure {
            outcome.failure = failure
            return Observation(outcome: outcome, messages: messages)
        }
        let sets = settings.flatMap { ["--set", $0] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let port = settings.contains { $0.hasPrefix("serving.port=") } ? [] : ["--set", "serving.port=0"]
        process.arguments = ["serve", "--config", "c.yaml"] + port + sets
        process.currentDirectoryURL = URL(fileURLWithPath: workspace)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let printed = ServeOutput(errors.fileHandleForReading)
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        guard let listening = printed.waitFor(#"listening on http://[^:]+:(\d+)"#, seconds: 120),
            let bound = Int(listening)
        else {
            outcome.failure =
                "serve: " + (printed.text.split(separator: "\n").first { $0.hasPrefix("error:") } ?? "did not listen")
            return Observation(outcome: outcome, messages: messages + printed.text)
        }
        _ = printed.waitFor("model loaded", seconds: 120)
        // Five catalog items (i5 is the planted corrupt image, dropped by preprocess: unknown history items are 400).
        let history = #"{"history": ["i1", "i2", "i3", "i4", "i6"], "k": 5}"# + String(repeating: " ", count: 1500)
        let requests: [(String, String)] = [
            ("user", "GET /v1/users/u1/recommendations?k=30 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            (
                "history",
                "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(history.utf8.count)\r\nConnection: close\r\n\r\n" + history
            ),
            (
                "reload",
                "POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\n{}"
            ),
        ]
        for (name, request) in requests {
            let reply = Self.exchange(port: bound, request: request)
            outcome.files["reply:" + name] = Self.fnv1a(Data(reply.utf8))
            Self.log("serve \(settings): \(name): \(reply.prefix(60))")
        }
        outcome.files["idle connection after 2.5 s: " + Self.idleProbe(port: bound)] = 1
        process.terminate()
        process.waitUntilExit()
        return Observation(outcome: outcome, messages: messages + printed.text)
    }

    /// A connected TCP socket to 127.0.0.1:`port`, or -1.
    private static func connectLoopback(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            close(fd)
            return -1
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Sends `request` and reads the reply to the end: its status line and body (headers dropped: they hold a
    /// date).
    private static func exchange(port: Int, request: String) -> String {
        let fd = connectLoopback(port)
        guard fd >= 0 else { return "connect failed" }
        defer { close(fd) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        let text = String(decoding: reply, as: UTF8.self)
        let status = text.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return status + "\n" + body
    }

    /// Connects, sends nothing for 2.5 s, then looks whether the server closed the connection.
    private static func idleProbe(port: Int) -> String {
        let fd = connectLoopback(port)
        guard fd >= 0 else { return "connect failed" }
        defer { close(fd) }
        usleep(2_500_000)
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
        return n == 0 ? "closed by the server" : "open"
    }
}

/// A server's standard error, read on a background thread.
final class ServeOutput: @unchecked Sendable {
    private let lock = NSCondition()
    private var buffer = ""

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.lock()
                buffer += String(decoding: data, as: UTF8.self)
                lock.broadcast()
                lock.unlock()
            }
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }

    /// Waits until the output matches `pattern` (a regular expression); returns its first capture group (or
    /// the match), or `nil` after `seconds`.
    func waitFor(_ pattern: String, seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: buffer, range: NSRange(buffer.startIndex..., in: buffer))
            {
                let group = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return Range(group, in: buffer).map { String(buffer[$0]) }
            }
            if !lock.wait(until: deadline) { return nil }
        }
    }
}
