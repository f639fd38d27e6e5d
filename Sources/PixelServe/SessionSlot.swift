import PixelSession
import Synchronization

/// The session a server answers with: empty until loaded (then `/readyz` says 503 and the model routes
/// answer 503), then one ``ModelSession`` that every request reads. Swapping in another session is atomic:
/// a request holds the session it started with until it finishes.
public final class SessionSlot: Sendable {
    private let current = Mutex<ModelSession?>(nil)

    public init(_ session: ModelSession? = nil) {
        current.withLock { $0 = session }
    }

    /// The session now served, if loaded.
    public var session: ModelSession? { current.withLock { $0 } }

    /// Serves `session` from now on.
    public func set(_ session: ModelSession) { current.withLock { $0 = session } }
}
