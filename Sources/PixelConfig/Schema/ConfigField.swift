/// One key of the configuration: its dotted YAML path, the property it sets, a one-line description
/// and the rule its value must satisfy. The schema table (`ConfigSchema.fields`) lists every key once;
/// decoding, `--set`, validation and `yamlText()` all read that table.
struct ConfigField: Sendable {
    /// `training.learning_rate`
    let path: String
    /// One line for the comment above the key in `yamlText()`.
    let summary: String
    /// The allowed values of an enumerated key.
    let allowedValues: [String]?
    /// Reads the node into the property of `config`.
    let decode: @Sendable (YAMLNode, DecodeSite, inout PixelRecConfig) throws(ConfigError) -> Void
    /// The property's value as YAML text.
    let render: @Sendable (PixelRecConfig) -> String
    /// The broken requirement ("must be > 0") with the offending value, `nil` when the value is valid.
    let violation: @Sendable (PixelRecConfig) -> (requirement: String, found: String)?

    init<Value: ConfigValue>(
        _ path: String, _ property: WritableKeyPath<PixelRecConfig, Value> & Sendable, _ summary: String,
        _ rule: ConfigRule<Value> = .any
    ) {
        self.path = path
        self.summary = summary
        self.allowedValues = Value.allowedValues
        self.decode = { node, site, config throws(ConfigError) in
            config[keyPath: property] = try Value.decode(node, key: path, site: site)
        }
        self.render = { config in config[keyPath: property].yamlText }
        self.violation = { config in
            let value = config[keyPath: property]
            return rule.check(value).map { ($0, value.yamlText) }
        }
    }

    /// The last component of the path: the key as written inside its section.
    var name: Substring { path.split(separator: ".").last ?? Substring(path) }

    /// The enclosing sections, outermost first (`["data", "splitting"]`).
    var sections: [Substring] { Array(path.split(separator: ".").dropLast()) }
}

/// A requirement on a value, e.g. `.positive`, `.inRange(0, 1, upperOpen: true)`.
struct ConfigRule<Value>: Sendable {
    /// The broken requirement ("must be > 0"), or `nil` when `value` is fine.
    let check: @Sendable (Value) -> String?

    static var any: ConfigRule { ConfigRule { _ in nil } }
}

extension ConfigRule where Value == Int {
    static func atLeast(_ minimum: Int) -> ConfigRule {
        ConfigRule { $0 >= minimum ? nil : "must be at least \(minimum)" }
    }

    static func inRange(_ low: Int, _ high: Int) -> ConfigRule {
        ConfigRule { (low...high).contains($0) ? nil : "must be between \(low) and \(high)" }
    }
}

extension ConfigRule where Value == Int? {
    static func atLeastWhenSet(_ minimum: Int) -> ConfigRule {
        ConfigRule { value in
            guard let value else { return nil }
            return value >= minimum ? nil : "must be null or at least \(minimum)"
        }
    }
}

extension ConfigRule where Value == Double {
    /// `x > 0`
    static var positive: ConfigRule { ConfigRule { $0 > 0 ? nil : "must be > 0" } }
    /// `x ≥ 0`
    static var nonNegative: ConfigRule { ConfigRule { $0 >= 0 ? nil : "must be >= 0" } }

    /// `low ≤ x ≤ high`, with either end optionally open.
    static func inRange(_ low: Double, _ high: Double, lowerOpen: Bool = false, upperOpen: Bool = false) -> ConfigRule {
        let text = "must be in \(lowerOpen ? "(" : "[")\(low.yamlText), \(high.yamlText)\(upperOpen ? ")" : "]")"
        return ConfigRule { x in
            let aboveLow = lowerOpen ? x > low : x >= low
            let belowHigh = upperOpen ? x < high : x <= high
            return aboveLow && belowHigh ? nil : text
        }
    }

    /// A probability of dropping something: `0 ≤ p < 1`.
    static var dropout: ConfigRule { inRange(0, 1, upperOpen: true) }
    /// `0 ≤ x ≤ 1`
    static var unitInterval: ConfigRule { inRange(0, 1) }
}

extension ConfigRule where Value == Double? {
    /// `null` or `x > 0`
    static var positiveWhenSet: ConfigRule {
        ConfigRule { value in
            guard let value else { return nil }
            return value > 0 ? nil : "must be null or > 0"
        }
    }
}

extension ConfigRule where Value == [Int] {
    /// Every entry at least `minimum`; optionally an exact count or a non-empty list.
    static func entries(atLeast minimum: Int, count: Int? = nil, nonEmpty: Bool = false) -> ConfigRule {
        ConfigRule { values in
            if let count, values.count != count { return "must hold exactly \(count) entries" }
            if nonEmpty && values.isEmpty { return "must hold at least one entry" }
            if values.contains(where: { $0 < minimum }) { return "every entry must be at least \(minimum)" }
            return nil
        }
    }
}

extension ConfigRule where Value == [String] {
    static var nonEmptyEntries: ConfigRule {
        ConfigRule { $0.contains(where: \.isEmpty) ? "entries must not be empty strings" : nil }
    }
}

extension ConfigRule where Value == String {
    static var nonEmpty: ConfigRule { ConfigRule { $0.isEmpty ? "must not be empty" : nil } }
}
