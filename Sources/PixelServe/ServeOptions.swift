import PixelConfig

/// What `pixelrec serve` listens on and the limits it holds every request to.
public struct ServeOptions: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Event-loop threads (≥ 1).
    public var threads: Int
    public var maxBodyBytes: Int
    public var maxK: Int
    public var maxHistory: Int
    public var idleTimeoutSeconds: Double
    /// Serve `POST /admin/reload` (`serving.admin`, `--admin`; loopback hosts only).
    public var admin: Bool

    /// The `serving:` section, with `threads: 0` resolved to `cores`.
    public init(_ serving: ServingConfig, cores: Int) {
        host = serving.host
        port = serving.port
        threads = serving.threads > 0 ? serving.threads : max(1, cores)
        maxBodyBytes = serving.maxBodyBytes
        maxK = serving.maxK
        maxHistory = serving.maxHistory
        idleTimeoutSeconds = serving.idleTimeoutSeconds
        admin = serving.admin
    }
}

extension ServeOptions {
    /// Whether `host` names the loopback interface (`localhost`, `127.x.y.z`, `::1`).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
