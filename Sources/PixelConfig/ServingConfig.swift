/// The `serving:` section: how `pixelrec serve` answers over HTTP.
public struct ServingConfig: Sendable, Equatable {
    /// `host`: the address to listen on (loopback by default: put a proxy in front to expose it).
    public var host = "127.0.0.1"
    /// `port`: the TCP port (0 = any free port, printed when listening).
    public var port = 8080
    /// `threads`: event-loop threads that accept, parse and answer requests (0 = one per core).
    public var threads = 0
    /// `max_body_bytes`: the largest request body accepted; larger ones get 413.
    public var maxBodyBytes = 65_536
    /// `max_k`: the longest list a request may ask for; larger `k` gets 400.
    public var maxK = 1000
    /// `max_history`: the most items a request's history may name; longer ones get 400.
    public var maxHistory = 10_000
    /// `idle_timeout_seconds`: a connection that sends nothing this long (idle keep-alive, or a slow client
    /// that stops mid-request) is closed.
    public var idleTimeoutSeconds = 30.0
    /// `admin`: serve `POST /admin/reload` (only on a loopback host).
    public var admin = false

    public init() {}
}
