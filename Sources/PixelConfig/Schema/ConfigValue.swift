/// Where the nodes being decoded came from: a file (nodes carry line and column) or a `--set`
/// argument (its value was parsed on its own, so its marks mean nothing to the user).
struct DecodeSite: Sendable {
    var source: String
    var usesMarks: Bool

    func location(of node: YAMLNode) -> SourceLocation {
        usesMarks
            ? SourceLocation(source: source, line: node.mark.line, column: node.mark.column)
            : SourceLocation(source: source)
    }
}

/// A type a config key can hold: how it reads from a YAML node and how it is written back.
protocol ConfigValue: Sendable, Equatable {
    /// What the key expects, for messages: "an integer", "a number", "true or false".
    static var expectation: String { get }
    /// The plural, for lists: "integers".
    static var pluralExpectation: String { get }
    /// The allowed values of an enumerated type, `nil` otherwise.
    static var allowedValues: [String]? { get }
    /// - Parameter key: the dotted key path, for messages.
    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Self
    /// The value as YAML (a scalar or a flow sequence) that decodes back to an equal value.
    var yamlText: String { get }
}

extension ConfigValue {
    static var allowedValues: [String]? { nil }

    static func mismatch(_ node: YAMLNode, key: String, site: DecodeSite) -> ConfigError {
        var found = node.summary
        if case .scalar(_, .string) = node.kind { found += " (quoted, so a string)" }
        return .typeMismatch(site.location(of: node), key: key, expected: expectation, found: found)
    }

    /// The text of a plain scalar, or `nil` for a quoted scalar, a list or a mapping.
    static func plainText(_ node: YAMLNode) -> String? {
        if case let .scalar(text, .plain) = node.kind { return text }
        return nil
    }
}

extension Int: ConfigValue {
    static var expectation: String { "an integer" }
    static var pluralExpectation: String { "integers" }

    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Int {
        guard let text = plainText(node) else { throw mismatch(node, key: key, site: site) }
        switch YAMLScalar.integer(text) {
        case let .value(value): return value
        case .tooLarge:
            throw .outOfRange(site.location(of: node), key: key, requirement: "must fit in 64 bits", found: text)
        case .notAnInteger: throw mismatch(node, key: key, site: site)
        }
    }

    var yamlText: String { String(self) }
}

extension Double: ConfigValue {
    static var expectation: String { "a number" }
    static var pluralExpectation: String { "numbers" }

    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Double {
        guard let text = plainText(node), let value = YAMLScalar.double(text) else {
            throw mismatch(node, key: key, site: site)
        }
        guard value.isFinite else {
            throw .outOfRange(site.location(of: node), key: key, requirement: "must be a finite number", found: text)
        }
        return value
    }

    /// Shortest text that reads back to the same `Double`, always with a `.` so PyYAML also reads a float
    /// (`1.0e-06`, not `1e-06`).
    var yamlText: String {
        var text = description
        if let exponent = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<exponent].contains(".") {
            text.insert(contentsOf: ".0", at: exponent)
        }
        return text
    }
}

extension Bool: ConfigValue {
    static var expectation: String { "true or false" }
    static var pluralExpectation: String { "booleans" }

    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Bool {
        guard let text = plainText(node), let value = YAMLScalar.bool(text) else {
            throw mismatch(node, key: key, site: site)
        }
        return value
    }

    var yamlText: String { self ? "true" : "false" }
}

extension String: ConfigValue {
    static var expectation: String { "a string" }
    static var pluralExpectation: String { "strings" }

    /// Any scalar is a string (`path: 2024` is the text `2024`); only null, lists and mappings are not.
    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> String {
        guard case let .scalar(text, _) = node.kind, !node.isNull else {
            throw mismatch(node, key: key, site: site)
        }
        return text
    }

    var yamlText: String { YAMLScalar.emitString(self) }
}

extension Optional: ConfigValue where Wrapped: ConfigValue {
    static var expectation: String { Wrapped.expectation + " or null" }
    static var pluralExpectation: String { Wrapped.pluralExpectation + " or nulls" }
    static var allowedValues: [String]? { Wrapped.allowedValues.map { $0 + ["null"] } }

    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Wrapped? {
        if node.isNull { return nil }
        do {
            return try Wrapped.decode(node, key: key, site: site)
        } catch let .typeMismatch(location, key, _, found) {
            throw .typeMismatch(location, key: key, expected: expectation, found: found)
        }
    }

    var yamlText: String { self?.yamlText ?? "null" }
}

extension Array: ConfigValue where Element: ConfigValue {
    static var expectation: String { "a list of " + Element.pluralExpectation }
    static var pluralExpectation: String { "lists" }

    /// Element errors name the element: `model.fusion_hidden_dims[1]`.
    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> [Element] {
        guard case let .sequence(items) = node.kind else { throw mismatch(node, key: key, site: site) }
        var values: [Element] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            values.append(try Element.decode(item, key: "\(key)[\(index)]", site: site))
        }
        return values
    }

    var yamlText: String { "[" + map(\.yamlText).joined(separator: ", ") + "]" }
}

/// A config setting with a fixed set of values, spelled as in the YAML file (`rawValue`).
protocol ConfigEnum: ConfigValue, SettingEnum {}

extension ConfigEnum {
    static var allowedValues: [String]? { allCases.map(\.rawValue) }
    static var expectation: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    static var pluralExpectation: String { "values among " + allCases.map(\.rawValue).joined(separator: ", ") }

    /// Quoted or plain text; a value outside the set gets the list of allowed values and a suggestion.
    static func decode(_ node: YAMLNode, key: String, site: DecodeSite) throws(ConfigError) -> Self {
        guard case let .scalar(text, _) = node.kind, !node.isNull else { throw mismatch(node, key: key, site: site) }
        if let value = Self(rawValue: text) { return value }
        let names = allCases.map(\.rawValue)
        throw .notAllowed(
            site.location(of: node), key: key, value: text, allowed: names,
            suggestion: EditDistance.closest(to: text, among: names))
    }

    var yamlText: String { rawValue }
}
