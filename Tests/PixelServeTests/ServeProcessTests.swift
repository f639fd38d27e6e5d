import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `pixelrec serve` as a process: it listens, loads, answers, and on SIGTERM drains and exits 0.
@Suite("pixelrec serve: the process", .serialized)
struct ServeProcessTests {
    var fixture: ServeFixture { get throws { try ServeFixture.shared.get() } }

    /// The built executable (`swift build` makes it with the tests).
    static var binary: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        return [".build/debug/pixelrec", ".build/release/pixelrec"].map { root + "/" + $0 }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// GET `url`: the status, or `nil` when no reply came (refused, reset).
    static func get(_ url: URL) async -> Int? {
        await withCheckedContinuation { continuation in
            let task = URLSession.shared.dataTask(with: url) { _, response, error in
                continuation.resume(returning: error == nil ? (response as? HTTPURLResponse)?.statusCode : nil)
            }
            task.resume()
        }
    }

    /// A running `pixelrec serve` on the fixture: the process, its port and its standard error so far.
    final class Running {
        let process = Process()
        let errorPipe = Pipe()
        var stderr = ""
        var port = 0
        var base: String { "http://127.0.0.1:\(port)" }

        init(config: String, extra: [String] = []) throws {
            let binary = try #require(ServeProcessTests.binary, "build pixelrec first")
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--config", config, "--port", "0", "--threads", "1"] + extra
            process.standardError = errorPipe
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // The port from `listening on http://127.0.0.1:<port>` (bounded wait).
            let deadline = Date().addingTimeInterval(60)
            while port == 0 && Date() < deadline {
                let chunk = errorPipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderr += String(decoding: chunk, as: UTF8.self)
                if let range = stderr.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression)
                {
                    port = Int(stderr[range].split(separator: ":").last ?? "") ?? 0
                }
            }
            guard port > 0 else {
                process.terminate()
                throw FixtureFailure(description: "no listening line: \(stderr)")
            }
        }

        deinit { if process.isRunning { process.terminate() } }

        /// Waits (bounded) until `/readyz` answers 200.
        func ready() async throws -> Bool {
            for _ in 0..<120 {
                if await ServeProcessTests.get(URL(string: base + "/readyz")!) == 200 { return true }
                try await Task.sleep(for: .milliseconds(250))
            }
            return false
        }

        /// Sends SIGTERM and waits for the exit; returns the standard error.
        func stop() -> String {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
            stderr += String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return stderr
        }
    }

    @Test("SIGTERM while clients are requesting: every reply that came is 200, the process exits 0")
    func gracefulShutdown() async throws {
        let f = try fixture
        let server = try Running(config: f.config)
        #expect(try await server.ready())
        let user = f.session.model.trainedUsers.key(0)
        let url = URL(string: server.base + "/v1/users/\(user)/recommendations?k=5")!

        // Clients keep requesting while SIGTERM arrives.
        let statuses = try await withThrowingTaskGroup(of: [Int?].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var seen: [Int?] = []
                    for _ in 0..<60 { seen.append(await Self.get(url)) }
                    return seen
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            kill(server.process.processIdentifier, SIGTERM)
            var all: [Int?] = []
            for try await part in group { all += part }
            return all
        }
        let stderr = server.stop()
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.hasSuffix("stopped\n"), "\(stderr)")
        let answered = statuses.compactMap { $0 }
        #expect(!answered.isEmpty)
        #expect(answered.allSatisfy { $0 == 200 }, "\(answered)")
    }
}

/// Hostile clients (bounded, loopback only): malformed requests of assorted kinds, oversize bodies and slow
/// clients holding connections, while a healthy client keeps getting answers.
@Suite("pixelrec serve: hostile clients", .serialized)
struct ServeHostileClientTests {
    @Test("1,000 malformed requests, oversize bodies and 32 stalled connections: healthy requests still answer 200")
    func hostile() async throws {
        let f = try ServeFixture.shared.get()
        let server = try ServeProcessTests.Running(
            config: f.config, extra: ["--set", "serving.idle_timeout_seconds=2"])
        #expect(try await server.ready())
        let user = f.session.model.trainedUsers.key(0)
        let healthy = URL(string: server.base + "/v1/users/\(user)/recommendations?k=5")!

        // Slow clients: half a request line each, then nothing.
        let stalled = (0..<32).compactMap { _ in RawSocket(port: server.port) }
        for socket in stalled { socket.send("GET /v1/users/\(user)/recommen") }
        #expect(stalled.count == 32)

        let kinds: [String] = [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/9.9\r\n\r\n",
            "GET /v1/users/%ZZ/recommendations HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"a\":",
            "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n[1]",
            "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                + String(repeating: "x", count: 100_000),
            "POST /v1/recommendations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "GET /v1/users/u1/recommendations?k=-1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/users/u1/recommendations?k=99999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "\u{0}\u{1}\u{2}\u{ff}\r\n\r\n",
        ]
        var healthyStatuses: [Int?] = []
        var replies = 0
        for n in 0..<1000 {
            if let socket = RawSocket(port: server.port) {
                socket.send(kinds[n % kinds.count])
                shutdown(socket.descriptor, Int32(SHUT_WR))
                if !socket.readAll(limit: 512).isEmpty { replies += 1 }
            }
            if n % 50 == 0 { healthyStatuses.append(await ServeProcessTests.get(healthy)) }
        }
        healthyStatuses.append(await ServeProcessTests.get(healthy))
        #expect(healthyStatuses.allSatisfy { $0 == 200 }, "\(healthyStatuses)")
        #expect(replies > 0)
        // The stalled connections are closed by the idle timeout (2 s): reading them ends at once instead of
        // each waiting out its 5 s read timeout.
        try await Task.sleep(for: .seconds(3))
        let start = Date()
        for socket in stalled { _ = socket.readAll(limit: 4096) }
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(await ServeProcessTests.get(healthy) == 200)
        let stderr = server.stop()
        #expect(server.process.terminationStatus == 0, "\(stderr)")
    }
}
