import Foundation
import Hummingbird
import Logging
import PixelSession

/// The endpoints of `pixelrec serve` (see docs/SERVING.md).
struct Routes: Sendable {
    let slot: SessionSlot
    let options: ServeOptions
    let metrics: ServeMetrics
    /// `POST /admin/reload` (only with `--admin`).
    let reloader: Reloader?

    /// A recommendation list as JSON.
    struct ListReply: Encodable {
        struct Item: Encodable {
            let item_id: String
            let rank: Int
            let score: Double
            let title: String?
        }
        let user_id: String?
        let cold: Bool
        let k: Int
        let items: [Item]
        let ignored_items: [String]?
        let model: String
    }

    struct SimilarReply: Encodable {
        struct Item: Encodable {
            let item_id: String
            let rank: Int
            let similarity: Double
            let title: String?
        }
        let item_id: String
        let by: String
        let items: [Item]
        let model: String
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            guard let session = slot.session else {
                return JSONResponse.make(["status": "loading"], status: .serviceUnavailable)
            }
            return JSONResponse.make(["status": "ready", "model": Self.version(session)])
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/v1/users/:id/recommendations") { request, context in
            let user = try context.parameters.require("id")
            let query = try RequestParsing.recommendationQuery(
                user: user, parameters: request.uri.queryParameters, options: options)
            return try recommend(query)
        }
        router.post("/v1/recommendations") { request, context in
            let buffer = try await request.body.collect(upTo: options.maxBodyBytes)
            let query = try RequestParsing.recommendationQuery(Data(buffer: buffer), options: options)
            return try recommend(query)
        }
        if let reloader {
            router.post("/admin/reload") { request, context in
                let buffer = try await request.body.collect(upTo: options.maxBodyBytes)
                let checkpoint = try RequestParsing.reloadCheckpoint(Data(buffer: buffer))
                return JSONResponse.make(try await reloader.reload(checkpoint: checkpoint))
            }
        }
        router.get("/v1/items/:id/similar") { request, context in
            let id = try context.parameters.require("id")
            let values = try RequestParsing.checkedParameters(request.uri.queryParameters, allowed: ["k", "by"])
            let k = try RequestParsing.checkK(try RequestParsing.integer("k", values["k"]), options: options) ?? 10
            let byText = values["by"] ?? Similarity.Basis.content.rawValue
            guard let basis = Similarity.Basis(rawValue: byText) else {
                throw APIError.badRequest("by: '\(byText)' is not content or model")
            }
            let session = try ready()
            guard let item = session.catalog.index(of: id) else {
                throw APIError.notFound("unknown item '\(id)' (not in the model's catalog)")
            }
            let items = Similarity.similar(to: item, k: k, by: basis, session: session).enumerated().map {
                rank, pair in
                SimilarReply.Item(
                    item_id: session.catalog.key(pair.0), rank: rank + 1, similarity: Double(pair.1),
                    title: session.titles[Int(pair.0)])
            }
            return JSONResponse.make(
                SimilarReply(item_id: id, by: basis.rawValue, items: items, model: Self.version(session)))
        }
    }

    /// The session, or 503 while it loads.
    func ready() throws -> ModelSession {
        guard let session = slot.session else {
            throw APIError(.serviceUnavailable, "the model is still loading (see /readyz)")
        }
        return session
    }

    /// Answers `query` from the current session.
    func recommend(_ query: RecommendationQuery) throws -> Response {
        let session = try ready()
        let answer: RecommendationAnswer
        do {
            answer = try session.recommend(query)
        } catch let error as SessionError {
            switch error {
            case .unknownUser: throw APIError.notFound(error.description)
            case .unknownItem, .invalid: throw APIError.badRequest(error.description)
            case .noInteractions: throw APIError(.internalServerError, error.description)
            }
        }
        metrics.recordBatch(users: 1)
        let reply = ListReply(
            user_id: answer.userId, cold: answer.cold, k: answer.items.count,
            items: answer.items.map { .init(item_id: $0.itemId, rank: $0.rank, score: $0.score, title: $0.title) },
            ignored_items: answer.ignoredItems.isEmpty ? nil : answer.ignoredItems, model: Self.version(session))
        return JSONResponse.make(reply)
    }

    /// The model version: the checkpoint's payload checksum in hex.
    static func version(_ session: ModelSession) -> String {
        String(session.model.header.payloadChecksum, radix: 16)
    }
}
