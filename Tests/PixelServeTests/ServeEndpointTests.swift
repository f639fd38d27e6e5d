import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PixelServe
import PixelSession
import Testing

/// The endpoint contract of `pixelrec serve`, in process (Hummingbird's router test client).
@Suite("pixelrec serve: endpoints", .serialized)
struct ServeEndpointTests {
    var fixture: ServeFixture { get throws { try ServeFixture.shared.get() } }

    func server(loaded: Bool = true) throws -> RecommendationServer {
        let f = try fixture
        return RecommendationServer(
            slot: SessionSlot(loaded ? f.session : nil), options: try f.options, logger: Logger(label: "test"))
    }

    /// Runs `body` against the server's router.
    func withClient<R: Sendable>(
        _ server: RecommendationServer, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> R
    ) async throws -> R {
        try await server.application().test(.router) { client in try await body(client) }
    }

    /// One request: status and body as JSON (or text).
    struct Reply: Sendable {
        let status: Int
        let text: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
        var items: [(item: String, score: Double)] {
            (json["items"] as? [[String: Any]] ?? []).map {
                ($0["item_id"] as? String ?? "", ($0["score"] ?? $0["similarity"]) as? Double ?? .nan)
            }
        }
    }

    /// `["a", "b"]`.
    static func jsonArray(_ ids: some Sequence<String>) -> String {
        "[" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }

    static func send(
        _ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, body: String? = nil
    ) async throws -> Reply {
        try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status.code, text: String(buffer: response.body))
        }
    }

    @Test("GET /v1/users/{id}/recommendations equals recommend --users for the same user and settings")
    func knownUserEqualsRecommend() async throws {
        let f = try fixture
        let users = Array(f.session.model.trainedUsers.keys.prefix(4))
        let settings: [(query: String, arguments: [String])] = [
            ("", []),
            ("?k=8", ["-k", "8"]),
            (
                "?k=7&diversity=0.4&novelty=0.1",
                ["-k", "7", "--use-diversity", "--diversity-weight", "0.4", "--novelty-weight", "0.1"]
            ),
            ("?include_seen=true", ["--include-seen"]),
        ]
        for (query, arguments) in settings {
            for user in users {
                let expected = try #require(try f.recommend(["--users", user] + arguments)[user])
                let reply = try await withClient(try server()) { client in
                    try await Self.send(client, "/v1/users/\(user)/recommendations\(query)")
                }
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.items.map(\.item) == expected.map(\.item), "\(user) \(query)")
                #expect(reply.items.map(\.score) == expected.map(\.score), "\(user) \(query)")
                #expect(reply.json["cold"] as? Bool == false)
            }
        }
    }

    @Test("POST /v1/recommendations: a known user as GET; a cold history as recommend --history; allow/deny")
    func postBodies() async throws {
        let f = try fixture
        let user = f.session.model.trainedUsers.key(0)
        let items = Array(f.session.catalog.keys.prefix(3))
        let server = try server()
        let (byPost, byGet, cold, denied) = try await withClient(server) { client in
            (
                try await Self.send(
                    client, "/v1/recommendations", method: .post, body: #"{"user_id": "\#(user)", "k": 6}"#),
                try await Self.send(client, "/v1/users/\(user)/recommendations?k=6"),
                try await Self.send(
                    client, "/v1/recommendations", method: .post,
                    body: #"{"history": ["\#(items[0])", "\#(items[1])", "\#(items[2])"]}"#),
                try await Self.send(
                    client, "/v1/recommendations", method: .post,
                    body:
                        #"{"user_id": "\#(user)", "deny": ["\#(items[0])", "nope"], "allow": \#(Self.jsonArray(f.session.catalog.keys.prefix(20)))}"#
                )
            )
        }
        #expect(byPost.status == 200 && byPost.items.map(\.item) == byGet.items.map(\.item))
        #expect(byPost.items.count == 6)
        let expectedCold = try #require(try f.recommend(["--history", "anon:" + items.joined(separator: ",")])["anon"])
        #expect(cold.status == 200, "\(cold.text)")
        #expect(cold.json["cold"] as? Bool == true)
        #expect(cold.items.map(\.item) == expectedCold.map(\.item))
        for (a, b) in zip(cold.items.map(\.score), expectedCold.map(\.score)) {
            #expect(abs(a - b) <= 1e-6 * max(1, abs(b)))
        }
        #expect(Set(cold.items.map(\.item)).isDisjoint(with: items), "history items count as seen")
        #expect(denied.status == 200, "\(denied.text)")
        let allowed = Set(f.session.catalog.keys.prefix(20))
        #expect(denied.items.allSatisfy { allowed.contains($0.item) && $0.item != items[0] })
        #expect(denied.json["ignored_items"] as? [String] == ["nope"])
    }

    @Test("errors are JSON naming the problem: unknown user 404, bad input 400, oversize body 413, unknown route 404")
    func errors() async throws {
        let f = try fixture
        let item = f.session.catalog.key(0)
        let cases: [(uri: String, method: HTTPRequest.Method, body: String?, status: Int, message: String)] = [
            ("/v1/users/nobody/recommendations", .get, nil, 404, "unknown user 'nobody'"),
            ("/v1/recommendations", .post, #"{"user_id": "nobody"}"#, 404, "unknown user 'nobody'"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "k": 5"#, 400, "malformed JSON"),
            ("/v1/recommendations", .post, "[1, 2]", 400, "must be a JSON object"),
            ("/v1/recommendations", .post, #"{"user": "u1"}"#, 400, "unknown field 'user'"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "k": "ten"}"#, 400, "k: expected an integer"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "k": 31}"#, 400, "k: must be at most 30"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "k": 0}"#, 400, "k: must be at least 1"),
            ("/v1/recommendations", .post, #"{"history": ["nope"]}"#, 400, "unknown item 'nope'"),
            ("/v1/recommendations", .post, #"{"history": []}"#, 400, "history: must name at least one item"),
            ("/v1/recommendations", .post, #"{"k": 3}"#, 400, "give user_id, history, or both"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "diversity": 2}"#, 400, "diversity: must be in [0, 1]"),
            ("/v1/recommendations", .post, #"{"user_id": "u1", "allow": "i1"}"#, 400, "allow: expected an array"),
            (
                "/v1/recommendations", .post, #"{"history": [\#(String(repeating: "\"x\",", count: 600))"x"]}"#, 413,
                "larger than the limit"
            ),
            ("/v1/users/u1/recommendations?k=abc", .get, nil, 400, "k: 'abc' is not an integer"),
            ("/v1/users/u1/recommendations?kk=3", .get, nil, 400, "unknown query parameter 'kk'"),
            ("/v1/users/u1/recommendations?include_seen=maybe", .get, nil, 400, "include_seen: 'maybe'"),
            ("/v1/items/nope/similar", .get, nil, 404, "unknown item 'nope'"),
            ("/v1/items/\(item)/similar?by=taste", .get, nil, 400, "by: 'taste' is not content or model"),
            ("/v2/anything", .get, nil, 404, "no route GET /v2/anything"),
        ]
        let replies = try await withClient(try server()) { client in
            var replies: [Reply] = []
            for c in cases { replies.append(try await Self.send(client, c.uri, method: c.method, body: c.body)) }
            return replies
        }
        for (c, reply) in zip(cases, replies) {
            #expect(reply.status == c.status, "\(c.uri) \(c.body ?? ""): \(reply.text)")
            #expect(reply.errorMessage.contains(c.message), "\(c.uri) \(c.body ?? ""): \(reply.text)")
            #expect((reply.json["error"] as? [String: Any])?["status"] as? Int == c.status)
        }
    }

    @Test("GET /v1/items/{id}/similar: the k most similar other items, checked against a brute-force cosine")
    func similar() async throws {
        let f = try fixture
        let session = f.session
        let item = session.catalog.key(3)
        let (content, model) = try await withClient(try server()) { client in
            (
                try await Self.send(client, "/v1/items/\(item)/similar?k=5"),
                try await Self.send(client, "/v1/items/\(item)/similar?k=5&by=model")
            )
        }
        #expect(content.status == 200 && model.status == 200)
        #expect(content.items.count == 5 && !content.items.contains { $0.item == item })
        // Independent reference: cosines of the item vectors in Double, sorted.
        let d = session.model.hyperparameters.embeddingDim, v = session.itemVectors
        func cosine(_ a: Int, _ b: Int) -> Double {
            var dot = 0.0, na = 0.0, nb = 0.0
            for c in 0..<d {
                dot += Double(v[a * d + c]) * Double(v[b * d + c])
                na += Double(v[a * d + c]) * Double(v[a * d + c])
                nb += Double(v[b * d + c]) * Double(v[b * d + c])
            }
            return dot / (na * nb).squareRoot()
        }
        let reference = (0..<session.catalog.count).filter { $0 != 3 }.map {
            (session.catalog.key(Int32($0)), cosine(3, $0))
        }
        .sorted { $0.1 > $1.1 }.prefix(5)
        #expect(model.items.map(\.item) == reference.map(\.0))
        for (a, b) in zip(model.items.map(\.score), reference.map(\.1)) { #expect(abs(a - b) < 1e-4) }
    }

    @Test("healthz, readyz (503 before the model is loaded, 200 after), metrics in Prometheus text")
    func probesAndMetrics() async throws {
        let loading = try await withClient(try server(loaded: false)) { client in
            (
                try await Self.send(client, "/healthz"), try await Self.send(client, "/readyz"),
                try await Self.send(client, "/v1/users/u1/recommendations")
            )
        }
        #expect(loading.0.status == 200 && loading.1.status == 503 && loading.2.status == 503)
        let server = try server()
        let (ready, metrics) = try await withClient(server) { client in
            let ready = try await Self.send(client, "/readyz")
            _ = try await Self.send(client, "/v1/users/nobody/recommendations")
            _ = try await Self.send(
                client, "/v1/users/\(try fixture.session.model.trainedUsers.key(0))/recommendations")
            return (ready, try await Self.send(client, "/metrics"))
        }
        #expect(ready.status == 200 && ready.json["status"] as? String == "ready")
        let text = metrics.text
        #expect(
            text.contains(
                #"pixelrec_http_requests_total{route="/v1/users/{id}/recommendations",method="GET",status="404"} 1"#),
            "\(text)")
        #expect(
            text.contains(
                #"pixelrec_http_requests_total{route="/v1/users/{id}/recommendations",method="GET",status="200"} 1"#))
        #expect(text.contains("pixelrec_http_request_duration_seconds_bucket"))
        #expect(text.contains(#"pixelrec_model_info{version=""#))
        #expect(text.contains("pixelrec_scoring_batch_users"))
    }

    @Test("64 concurrent requests over real HTTP answer exactly as one at a time")
    func concurrent() async throws {
        let f = try fixture
        let users = Array(f.session.model.trainedUsers.keys.prefix(16))
        let server = try server()
        let (sequential, parallel) = try await server.application().test(.live) { client in
            var sequential: [String: String] = [:]
            for user in users {
                sequential[user] = try await Self.send(client, "/v1/users/\(user)/recommendations?k=10").text
            }
            let parallel = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                for n in 0..<64 {
                    let user = users[n % users.count]
                    group.addTask { (user, try await Self.send(client, "/v1/users/\(user)/recommendations?k=10")) }
                }
                var all: [(String, Reply)] = []
                for try await result in group { all.append(result) }
                return all
            }
            return (sequential, parallel)
        }
        #expect(parallel.count == 64)
        for (user, reply) in parallel { #expect(reply.status == 200 && reply.text == sequential[user]) }
    }
}
