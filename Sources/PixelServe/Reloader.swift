import Foundation
import Logging
import PixelSession
import Synchronization

/// Loads the sessions a server serves: the first one at start-up and, on `POST /admin/reload` or SIGHUP, a
/// new one that replaces it atomically.
public struct SessionLoader: Sendable {
    /// Loads a session from `checkpoint` (`nil`: the configured checkpoint, read again).
    public let load: @Sendable (_ checkpoint: String?) throws -> ModelSession

    public init(_ load: @escaping @Sendable (_ checkpoint: String?) throws -> ModelSession) {
        self.load = load
    }
}

/// One reload at a time: the new session loads on its own thread while the old one keeps serving; on
/// success it replaces the old one (requests in flight finish on the session they started with), on failure
/// the old one stays and the error is logged and returned.
final class Reloader: Sendable {
    let loader: SessionLoader
    let publish: @Sendable (ModelSession) -> Void
    let slot: SessionSlot
    let logger: Logger
    private let busy = Mutex(false)

    init(
        loader: SessionLoader, slot: SessionSlot, logger: Logger, publish: @escaping @Sendable (ModelSession) -> Void
    ) {
        self.loader = loader
        self.slot = slot
        self.logger = logger
        self.publish = publish
    }

    /// What a reload did: the model versions before and after.
    struct Outcome: Encodable, Sendable {
        let status: String
        let model: String
        let previous: String?
    }

    /// Loads `checkpoint` (`nil`: the configured one) and serves it.
    /// - Throws: ``APIError`` 409 while another reload runs, 422 naming the error when the checkpoint does not
    ///   load (the old session keeps serving).
    func reload(checkpoint: String?) async throws -> Outcome {
        let started = busy.withLock { running -> Bool in
            if running { return false }
            running = true
            return true
        }
        guard started else { throw APIError(.conflict, "a reload is already running") }
        defer { busy.withLock { $0 = false } }
        let previous = slot.session.map(Routes.version)
        let loader = self.loader
        do {
            let session = try await Task.detached { try loader.load(checkpoint) }.value
            publish(session)
            let version = Routes.version(session)
            logger.info("reloaded: model \(previous ?? "none") → \(version) (\(session.checkpointPath))")
            return Outcome(status: "reloaded", model: version, previous: previous)
        } catch {
            let reason = "\(error)"
            logger.error("reload refused, still serving \(previous ?? "nothing"): \(reason)")
            throw APIError(.unprocessableContent, "reload refused, still serving \(previous ?? "nothing"): \(reason)")
        }
    }
}
