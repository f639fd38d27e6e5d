import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import PixelSession

/// `pixelrec serve`: recommendations over HTTP/1.1 (Hummingbird on SwiftNIO) from one ``ModelSession``
/// shared by every request.
///
/// The server listens at once; the session loads beside it (`/readyz` and the model routes answer 503
/// until it has), and SIGTERM or SIGINT stop it gracefully: no new connections, the requests in flight
/// finish, then ``run(load:onListening:)`` returns.
public struct RecommendationServer: Sendable {
    public let slot: SessionSlot
    public let options: ServeOptions
    public let metrics: ServeMetrics
    public let logger: Logger
    /// Loads the first session (``run(onListening:)``) and every reload; `nil`: no reloads.
    public let loader: SessionLoader?

    public init(slot: SessionSlot = SessionSlot(), options: ServeOptions, logger: Logger, loader: SessionLoader? = nil)
    {
        let metrics = ServeMetrics()
        self.slot = slot
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.loader = loader
        reloader = loader.map {
            Reloader(loader: $0, slot: slot, logger: logger) { Self.publish($0, slot: slot, metrics: metrics) }
        }
        if let session = slot.session { publish(session) }
    }

    /// Reloads (SIGHUP, `POST /admin/reload`), one at a time; `nil` without a loader.
    let reloader: Reloader?

    /// A logger to standard error: warnings and errors only when `quiet`, debug detail when `verbose`, else
    /// information too (start, model loaded, reloads).
    public static func standardErrorLogger(quiet: Bool, verbose: Bool) -> Logger {
        var logger = Logger(label: "pixelrec.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = quiet ? .warning : verbose ? .debug : .info
        return logger
    }

    /// The router: every endpoint behind the metrics-and-errors middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ObservingMiddleware(metrics: metrics))
        Routes(slot: slot, options: options, metrics: metrics, reloader: options.admin ? reloader : nil).add(to: router)
        return router
    }

    /// The application on `options`' address with `options.threads` event-loop threads.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        let idle = TimeAmount.nanoseconds(Int64(options.idleTimeoutSeconds * 1e9))
        let port = options.port
        return Application(
            router: router(),
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: idle)),
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "pixelrec"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(group), logger: logger)
    }

    /// Serves `session` from now on and publishes its model in the metrics.
    public func publish(_ session: ModelSession) { Self.publish(session, slot: slot, metrics: metrics) }

    static func publish(_ session: ModelSession, slot: SessionSlot, metrics: ServeMetrics) {
        let previous = slot.session.map(Routes.version)
        slot.set(session)
        metrics.setModel(
            version: Routes.version(session), previous: previous, items: session.catalog.count,
            users: session.model.trainedUsers.count)
    }

    /// Listens, loads the first session with ``loader`` (on its own thread) and serves until SIGTERM or SIGINT;
    /// SIGHUP reloads (see ``Reloader``). Without a loader it serves the slot as it is.
    /// - Throws: the first load's error (the server is stopped first), the server's errors (e.g. the port in
    ///   use).
    public func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let app = application(onListening: onListening)
        guard let loader, let reloader else {
            // Nothing to load: serve the slot as it is.
            try await app.runService()
            return
        }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { Task { _ = try? await reloader.reload(checkpoint: nil) } }
        hangup.resume()
        defer { hangup.cancel() }
        let logger = logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask {
                let session = try await Task.detached { try loader.load(nil) }.value
                publish(session)
                logger.info(
                    "model loaded: \(session.catalog.count) items, \(session.model.trainedUsers.count) users, version \(Routes.version(session))"
                )
            }
            // The first to finish: the load (keep serving) or the server (a signal, or an error).
            try await group.next()
            try await group.next()
        }
    }
}
