import Foundation
import PixelArguments
import PixelConfig
import PixelCore
import PixelServe
import PixelSession

/// `pixelrec serve`: online recommendations over HTTP.
enum ServeCommand: Subcommand {
    static let command = Command(
        name: "serve",
        abstract: "Serve recommendations over HTTP (JSON) from a trained checkpoint.",
        discussion: """
            Loads the checkpoint as recommend does (one model session shared by every request) and answers \
            GET /v1/users/{id}/recommendations?k=&diversity=&novelty=&include_seen=, POST /v1/recommendations \
            {user_id?, history?, k?, allow?, deny?, diversity?, novelty?, include_seen?}, GET \
            /v1/items/{id}/similar?k=&by=content|model, GET /healthz, GET /readyz (200 once the model is loaded, \
            503 before) and GET /metrics (Prometheus text). A list equals the one recommend writes for the same \
            user and settings. Errors are JSON {"error": {"status", "message"}}: unknown user or item 404, bad \
            input 400, a body over serving.max_body_bytes 413. Limits: serving.max_k, serving.max_history, \
            serving.idle_timeout_seconds. SIGHUP (and with --admin POST /admin/reload) loads the checkpoint again \
            (or another) beside the running model and swaps it in atomically; one that does not load is refused \
            and the old model keeps serving. SIGTERM or SIGINT: stop accepting, finish the requests in flight, \
            exit 0. See docs/SERVING.md.
            """,
        arguments: CommonOptions.all + [
            .option("checkpoint", kind: .path, valueName: "path", help: "Model checkpoint (default: the best one)."),
            .option("host", valueName: "address", help: "Address to listen on (overrides serving.host)."),
            .option(
                "port", kind: .integer(0...65535), valueName: "n",
                help: "TCP port, 0 for any free one (overrides serving.port)."),
            .option(
                "threads", kind: .integer(1...1024), valueName: "n",
                help: "Event-loop threads (overrides serving.threads)."),
            .option("embeddings-cache", kind: .path, valueName: "path", help: "Cache of item representations."),
            .flag(
                "admin",
                help: "Serve POST /admin/reload {\"checkpoint\"?} (loopback hosts only; overrides serving.admin)."),
        ],
        examples: [
            "pixelrec serve --config C --port 8080",
            "curl -s localhost:8080/v1/users/u1/recommendations?k=5",
        ]
    )

    static func run(_ context: CommandContext) throws {
        var config = try context.loadConfig()
        let invocation = context.invocation
        if let host = invocation.string("host") {
            guard !host.isEmpty else { throw PixelError.invalidValue(setting: "--host", reason: "must not be empty") }
            config.serving.host = host
        }
        if let port = invocation.int("port") { config.serving.port = port }
        if let threads = invocation.int("threads") { config.serving.threads = threads }
        if invocation.flag("admin") { config.serving.admin = true }
        if config.serving.admin && !ServeOptions.isLoopback(config.serving.host) {
            throw PixelError.invalidValue(
                setting: invocation.flag("admin") ? "--admin" : "serving.admin",
                reason: "the admin endpoints are served on a loopback host only, not on \(config.serving.host)")
        }
        let checkpointPath = invocation.string("checkpoint") ?? config.checkpointDir + "/best.ckpt"
        var paths = context.paths()
        paths.input(checkpointPath, context.source("checkpoint", else: "checkpoint_dir"))
        paths.input(config.data.trainDataPath, "data.train_data_path")
        ModelInputs.declareItemInputs(config, into: &paths)
        paths.output(invocation.string("embeddings-cache"), "--embeddings-cache")
        try paths.check()
        guard FileManager.default.fileExists(atPath: checkpointPath) else {
            throw PixelError.io(
                path: checkpointPath, reason: "no checkpoint (run pixelrec train, or pass --checkpoint)")
        }

        let options = ServeOptions(config.serving, cores: ProcessInfo.processInfo.activeProcessorCount)
        let console = context.console
        let logger = RecommendationServer.standardErrorLogger(quiet: context.quiet, verbose: invocation.flag("verbose"))
        let sessionOptions = ModelSession.Options(
            checkpoint: checkpointPath, includeNewItems: config.recommendation.includeNewItems,
            embeddingsCache: invocation.string("embeddings-cache"))
        let log = context.sessionLog
        let loaded = config
        let loader = SessionLoader { checkpoint in
            var options = sessionOptions
            if let checkpoint { options.checkpoint = checkpoint }
            return try ModelSession(config: loaded, options: options, log: log)
        }
        let server = RecommendationServer(options: options, logger: logger, loader: loader)
        let host = options.host, threads = options.threads
        try blocking {
            try await server.run(onListening: { port in
                console.note(
                    "listening on http://\(host):\(port) (\(threads) event-loop thread\(threads == 1 ? "" : "s"))")
            })
        }
        if !context.quiet { console.note("stopped") }
    }

    /// Runs `body` to completion from synchronous code (the command runner is synchronous).
    static func blocking(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { try await body() } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    /// The error a detached task ended with.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        func set(_ error: Error) {
            lock.lock()
            stored = error
            lock.unlock()
        }
        var error: Error? {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
    }
}
