import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PixelConfig
import PixelServe
import PixelSession
import Testing

/// `POST /admin/reload`: a new checkpoint swapped in under concurrent requests; a bad one refused.
@Suite("pixelrec serve: reload", .serialized)
struct ServeReloadTests {
    var fixture: ServeFixture { get throws { try ServeFixture.shared.get() } }

    func server(admin: Bool) throws -> RecommendationServer {
        let f = try fixture
        var options = try f.options
        options.admin = admin
        // A connection silent for the idle timeout is closed, and a request whose handler runs longer (a reload on
        // a machine loaded by the rest of the suite) counts as silent: keep the test's connections open.
        options.idleTimeoutSeconds = 600
        let config = try ConfigLoader.load(path: f.config).config
        let loader = SessionLoader { checkpoint in
            try ModelSession(config: config, options: ModelSession.Options(checkpoint: checkpoint))
        }
        return RecommendationServer(
            slot: SessionSlot(f.session), options: options, logger: Logger(label: "test"), loader: loader)
    }

    @Test("reload under concurrent requests: no request fails, each names the old or the new model, then the new")
    func reloadUnderLoad() async throws {
        let f = try fixture
        let users = Array(f.session.model.trainedUsers.keys.prefix(8))
        let oldVersion = String(f.session.model.header.payloadChecksum, radix: 16)
        let server = try server(admin: true)
        let (replies, reload, after, bad, afterBad) = try await server.application().test(.live) { client in
            // Clients request while the reload runs.
            async let load = withThrowingTaskGroup(of: [ServeEndpointTests.Reply].self) { group in
                for n in 0..<4 {
                    group.addTask {
                        var replies: [ServeEndpointTests.Reply] = []
                        for round in 0..<40 {
                            let user = users[(n + round) % users.count]
                            replies.append(
                                try await ServeEndpointTests.send(client, "/v1/users/\(user)/recommendations?k=5"))
                        }
                        return replies
                    }
                }
                var all: [ServeEndpointTests.Reply] = []
                for try await part in group { all += part }
                return all
            }
            let reload = try await ServeEndpointTests.send(
                client, "/admin/reload", method: .post, body: #"{"checkpoint": "\#(f.otherCheckpoint)"}"#)
            let replies = try await load
            let after = try await ServeEndpointTests.send(client, "/readyz")
            let garbage = f.directory + "/garbage.ckpt"
            try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: garbage))
            let bad = try await ServeEndpointTests.send(
                client, "/admin/reload", method: .post, body: #"{"checkpoint": "\#(garbage)"}"#)
            let afterBad = try await ServeEndpointTests.send(client, "/v1/users/\(users[0])/recommendations")
            return (replies, reload, after, bad, afterBad)
        }
        #expect(reload.status == 200, "\(reload.text)")
        let newVersion = try #require(reload.json["model"] as? String)
        #expect(newVersion != oldVersion && reload.json["previous"] as? String == oldVersion)
        #expect(replies.count == 160)
        #expect(replies.allSatisfy { $0.status == 200 })
        #expect(replies.allSatisfy { [oldVersion, newVersion].contains($0.json["model"] as? String ?? "") })
        #expect(after.json["model"] as? String == newVersion)
        #expect(
            bad.status == 422 && bad.errorMessage.contains("reload refused, still serving \(newVersion)"), "\(bad.text)"
        )
        #expect(bad.errorMessage.contains("garbage.ckpt"))
        #expect(afterBad.status == 200 && afterBad.json["model"] as? String == newVersion)
    }

    @Test("without admin there is no reload route")
    func adminOff() async throws {
        let reply = try await server(admin: false).application().test(.router) { client in
            try await ServeEndpointTests.send(client, "/admin/reload", method: .post, body: "")
        }
        #expect(reply.status == 404)
    }
}
