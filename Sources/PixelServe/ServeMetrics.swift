import Foundation
import Hummingbird
import Metrics
import NIOCore
import Prometheus

/// The server's metrics, through swift-metrics into its own Prometheus registry (no process-wide
/// bootstrap, so several servers — tests — each keep theirs): requests by route, method and status,
/// request latency by route, users scored per scoring call, and the model being served.
public final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Latency buckets from 0.1 ms to 2.5 s: a request is a matrix–vector product and a top-k.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128]
        self.factory = factory
    }

    /// Counts one answered request and records its latency.
    func record(route: String, method: String, status: Int, seconds: Double) {
        Counter(
            label: "pixelrec_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory
        ).increment()
        Metrics.Timer(label: "pixelrec_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Records how many users one scoring call scored (1 per request until requests are batched).
    func recordBatch(users: Int) {
        Recorder(label: "pixelrec_scoring_batch_users", factory: factory).record(users)
    }

    /// Sets the served model's info gauge to 1 (`version` = the checkpoint's payload checksum) and the
    /// previous model's to 0.
    func setModel(version: String, previous: String?, items: Int, users: Int) {
        if let previous, previous != version {
            Gauge(label: "pixelrec_model_info", dimensions: [("version", previous)], factory: factory).record(0)
        }
        Gauge(label: "pixelrec_model_info", dimensions: [("version", version)], factory: factory).record(1)
        Gauge(label: "pixelrec_model_items", factory: factory).record(items)
        Gauge(label: "pixelrec_model_users", factory: factory).record(users)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}

/// Times and counts every request (matched routes by their pattern, others as `unmatched`), and turns
/// any error into a JSON error reply: ``APIError``s keep their status, Hummingbird's HTTP errors (413 for a
/// body over the cap, 404 for an unknown route) theirs, anything else is 500 without detail.
struct ObservingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.response()
        } catch let error as HTTPError {
            let message =
                switch error.status {
                case .notFound: "no route \(request.method.rawValue) \(request.uri.path)"
                case .contentTooLarge: "request body larger than the limit (serving.max_body_bytes)"
                default: error.body ?? error.status.reasonPhrase
                }
            response = APIError(error.status, message).response()
        } catch is NIOTooManyBytesError {
            response = APIError(.contentTooLarge, "request body larger than the limit (serving.max_body_bytes)")
                .response()
        } catch {
            context.logger.error("request failed: \(error)")
            response = APIError(.internalServerError, "internal error").response()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.record(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            seconds: seconds)
        return response
    }
}
