import Foundation
import Hummingbird
import HummingbirdCore
import PixelSession

/// Turns query strings and JSON bodies into ``RecommendationQuery``s, naming the field of every problem.
enum RequestParsing {
    /// The body of `POST /v1/recommendations`.
    struct RecommendationBody: Decodable {
        var user_id: String?
        var history: [String]?
        var k: Int?
        var allow: [String]?
        var deny: [String]?
        var diversity: Double?
        var novelty: Double?
        var include_seen: Bool?

        static let fields: Set<String> = [
            "user_id", "history", "k", "allow", "deny", "diversity", "novelty", "include_seen",
        ]
    }

    /// Parses and checks a `POST /v1/recommendations` body.
    /// - Throws: ``APIError`` 400 naming the problem (not JSON, not an object, an unknown field, a field of
    ///   the wrong type, a value out of range).
    static func recommendationQuery(_ data: Data, options: ServeOptions) throws -> RecommendationQuery {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("malformed JSON: \(jsonReason(error))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        if let unknown = dictionary.keys.sorted().first(where: { !RecommendationBody.fields.contains($0) }) {
            throw APIError.badRequest(
                "unknown field '\(unknown)' (fields: \(RecommendationBody.fields.sorted().joined(separator: ", ")))")
        }
        let body: RecommendationBody
        do {
            body = try JSONDecoder().decode(RecommendationBody.self, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest(describe(error))
        }
        guard body.user_id != nil || body.history != nil else {
            throw APIError.badRequest("give user_id, history, or both")
        }
        if let user = body.user_id, user.isEmpty { throw APIError.badRequest("user_id: must not be empty") }
        if let history = body.history {
            guard !history.isEmpty else { throw APIError.badRequest("history: must name at least one item") }
            guard history.count <= options.maxHistory else {
                throw APIError.badRequest(
                    "history: \(history.count) items, at most \(options.maxHistory) (serving.max_history)")
            }
        }
        for (name, list) in [("allow", body.allow ?? []), ("deny", body.deny ?? [])]
        where list.count > options.maxHistory {
            throw APIError.badRequest("\(name): \(list.count) items, at most \(options.maxHistory)")
        }
        let query = RecommendationQuery(
            user: body.user_id, history: body.history, topK: try checkK(body.k, options: options), allow: body.allow,
            deny: body.deny ?? [], diversity: try checkWeight("diversity", body.diversity),
            novelty: try checkWeight("novelty", body.novelty), includeSeen: body.include_seen ?? false)
        return query
    }

    /// The body of `POST /admin/reload`: empty, or `{"checkpoint": "path"}`.
    /// - Throws: ``APIError`` 400 for anything else.
    static func reloadCheckpoint(_ data: Data) throws -> String? {
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("malformed JSON: \(jsonReason(error))")
        }
        guard let dictionary = object as? [String: Any], Set(dictionary.keys).isSubset(of: ["checkpoint"]) else {
            throw APIError.badRequest(#"the body must be empty or {"checkpoint": "path"}"#)
        }
        guard let value = dictionary["checkpoint"] else { return nil }
        guard let path = value as? String, !path.isEmpty else {
            throw APIError.badRequest("checkpoint: expected a non-empty string")
        }
        return path
    }

    /// Parses the query string of `GET /v1/users/{id}/recommendations`: `k`, `diversity`, `novelty`,
    /// `include_seen` (`true`/`false`).
    static func recommendationQuery(
        user: String, parameters: FlatDictionary<Substring, Substring>, options: ServeOptions
    )
        throws -> RecommendationQuery
    {
        let values = try checkedParameters(parameters, allowed: ["k", "diversity", "novelty", "include_seen"])
        var includeSeen = false
        if let text = values["include_seen"] {
            guard let flag = Bool(text) else {
                throw APIError.badRequest("include_seen: '\(text)' is not true or false")
            }
            includeSeen = flag
        }
        return RecommendationQuery(
            user: user, topK: try checkK(try integer("k", values["k"]), options: options),
            diversity: try checkWeight("diversity", try number("diversity", values["diversity"])),
            novelty: try checkWeight("novelty", try number("novelty", values["novelty"])), includeSeen: includeSeen)
    }

    /// The query parameters as a dictionary, each given at most once and each in `allowed`.
    static func checkedParameters(_ parameters: FlatDictionary<Substring, Substring>, allowed: Set<String>) throws
        -> [String: String]
    {
        var values: [String: String] = [:]
        for (key, value) in parameters {
            let name = String(key)
            guard allowed.contains(name) else {
                throw APIError.badRequest(
                    "unknown query parameter '\(name)' (parameters: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard values[name] == nil else { throw APIError.badRequest("\(name): given more than once") }
            values[name] = String(value)
        }
        return values
    }

    static func integer(_ name: String, _ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw APIError.badRequest("\(name): '\(text)' is not an integer") }
        return value
    }

    static func number(_ name: String, _ text: String?) throws -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw APIError.badRequest("\(name): '\(text)' is not a number")
        }
        return value
    }

    /// `k` in `1...max_k`.
    static func checkK(_ k: Int?, options: ServeOptions) throws -> Int? {
        guard let k else { return nil }
        guard k >= 1 else { throw APIError.badRequest("k: must be at least 1, got \(k)") }
        guard k <= options.maxK else {
            throw APIError.badRequest("k: must be at most \(options.maxK) (serving.max_k), got \(k)")
        }
        return k
    }

    /// A weight in `[0, 1]`.
    static func checkWeight(_ name: String, _ value: Double?) throws -> Double? {
        guard let value else { return nil }
        guard value.isFinite, value >= 0, value <= 1 else {
            throw APIError.badRequest("\(name): must be in [0, 1], got \(value)")
        }
        return value
    }

    /// A decoding error in words, with the field it is about.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .typeMismatch(type, context):
            return "\(field(context.codingPath)): expected \(typeName(type))"
        case let .valueNotFound(type, context):
            return "\(field(context.codingPath)): expected \(typeName(type)), got null"
        case let .keyNotFound(key, _):
            return "missing field '\(key.stringValue)'"
        case let .dataCorrupted(context):
            let name = field(context.codingPath)
            return (name.isEmpty ? "" : name + ": ") + context.debugDescription
        @unknown default:
            return "malformed request"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is [String].Type, is [Any].Type: return "an array of strings"
        default: return "\(type)"
        }
    }

    /// The JSON parser's reason, without Foundation's error-domain wrapping.
    static func jsonReason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "not valid JSON"
    }
}
