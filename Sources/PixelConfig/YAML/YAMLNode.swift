/// A position in a YAML text: 1-based line and column (columns count Unicode scalars, as libyaml does).
struct YAMLMark: Equatable, Sendable {
    var line: Int
    var column: Int
}

/// One node of a parsed YAML document, with where it starts.
///
/// Aliases are resolved while building the tree (an alias becomes a copy of its anchored node, which
/// costs nothing thanks to copy-on-write), so a consumer never sees anchors. Mapping keys are unique
/// (checked while building) and always scalars.
struct YAMLNode: Sendable {
    /// How a scalar was written; only a plain (unquoted, untagged) scalar can be a number, a boolean or null.
    enum ScalarStyle: Sendable, Equatable {
        case plain
        /// Quoted, a block scalar (`|`, `>`), or tagged `!!str`/`!`: always a string.
        case string
    }

    struct Entry: Sendable {
        var key: YAMLNode
        var value: YAMLNode
        /// The key as text (keys are scalars).
        var name: String {
            if case let .scalar(text, _) = key.kind { return text }
            return ""
        }
    }

    enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([Entry])
    }

    var kind: Kind
    var mark: YAMLMark

    /// `true` for `null`, `Null`, `NULL`, `~` and the empty plain scalar (YAML 1.1/1.2 core schema).
    var isNull: Bool {
        guard case let .scalar(text, .plain) = kind else { return false }
        return YAMLScalar.isNull(text)
    }

    /// A short description of the node for error messages: `"fast"`, `null`, `a list`, `a mapping`.
    var summary: String {
        switch kind {
        case let .scalar(text, style):
            if style == .plain && YAMLScalar.isNull(text) { return "null" }
            return YAMLScalar.quotedForMessage(text)
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
