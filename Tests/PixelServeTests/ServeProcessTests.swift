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

    @Test("SIGTERM while clients are requesting: every reply that came is 200, the process exits 0")
    func gracefulShutdown() async throws {
        let f = try fixture
        let binary = try #require(Self.binary, "build pixelrec first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", f.config, "--port", "0", "--threads", "1"]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The port from `listening on http://127.0.0.1:<port>` (bounded wait).
        var stderr = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(60)
        while port == nil && Date() < deadline {
            let chunk = errorPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += String(decoding: chunk, as: UTF8.self)
            if let range = stderr.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(stderr[range].split(separator: ":").last ?? "")
            }
        }
        let bound = try #require(port, "no listening line: \(stderr)")
        let base = "http://127.0.0.1:\(bound)"
        var ready = false
        for _ in 0..<120 where !ready {
            ready = await Self.get(URL(string: base + "/readyz")!) == 200
            if !ready { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(ready)
        let user = f.session.model.trainedUsers.key(0)
        let url = URL(string: base + "/v1/users/\(user)/recommendations?k=5")!

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
            kill(process.processIdentifier, SIGTERM)
            var all: [Int?] = []
            for try await part in group { all += part }
            return all
        }
        process.waitUntilExit()
        stderr += String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.hasSuffix("stopped\n"), "\(stderr)")
        let answered = statuses.compactMap { $0 }
        #expect(!answered.isEmpty)
        #expect(answered.allSatisfy { $0 == 200 }, "\(answered)")
    }
}
