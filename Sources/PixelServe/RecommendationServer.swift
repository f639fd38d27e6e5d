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

    public init(slot: SessionSlot = SessionSlot(), options: ServeOptions, logger: Logger) {
        self.slot = slot
        self.options = options
        self.metrics = ServeMetrics()
        self.logger = logger
        if let session = slot.session { publish(session) }
    }

    /// The router: every endpoint behind the metrics-and-errors middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ObservingMiddleware(metrics: metrics))
        Routes(slot: slot, options: options, metrics: metrics).add(to: router)
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
    public func publish(_ session: ModelSession) {
        slot.set(session)
        metrics.setModel(
            version: String(session.model.header.payloadChecksum, radix: 16), items: session.catalog.count,
            users: session.model.trainedUsers.count)
    }

    /// Listens, loads the session with `load` (on its own thread) and serves until SIGTERM or SIGINT.
    /// - Throws: `load`'s error (the server is stopped first), the server's errors (e.g. the port in use).
    public func run(
        load: @escaping @Sendable () throws -> ModelSession, onListening: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let app = application(onListening: onListening)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask {
                let session = try await Task.detached { try load() }.value
                publish(session)
                logger.info(
                    "model loaded: \(session.catalog.count) items, \(session.model.trainedUsers.count) users, version \(String(session.model.header.payloadChecksum, radix: 16))"
                )
            }
            // The first to finish: the load (keep serving) or the server (a signal, or an error).
            try await group.next()
            try await group.next()
        }
    }
}
