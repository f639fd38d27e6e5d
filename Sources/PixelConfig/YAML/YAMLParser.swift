import CYAML

/// Builds a `YAMLNode` tree from libyaml's event stream.
///
/// The builder keeps its own stack instead of recursing, and refuses nesting deeper than
/// `maximumDepth`, so no input can exhaust the call stack (neither here nor when the tree is released).
/// Anchors become copies at their aliases; a key repeated in one mapping, an undefined or
/// self-referencing alias, a second document and a tag other than the core schema's are errors.
enum YAMLParser {
    static let maximumDepth = 64

    /// Parses `bytes` (UTF-8/16 with or without BOM) into the root node of its one document.
    /// - Returns: `nil` when the text holds no document (empty, or only comments).
    /// - Throws: `ConfigError.syntax` or `.invalidDocument` with the line and column.
    static func parse(_ bytes: [UInt8], source: String) throws(ConfigError) -> YAMLNode? {
        if bytes.isEmpty { return nil }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        defer { buffer.deallocate() }

        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .syntax(SourceLocation(source: source), problem: "out of memory")
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        var builder = TreeBuilder(source: source)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw syntaxError(parser, bytes: bytes, source: source)
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { break }
            try builder.consume(event)
        }
        return builder.root
    }

    private static func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8], source: String) -> ConfigError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            let (line, column) = position(ofOffset: Int(parser.problem_offset), in: bytes)
            let value =
                parser.problem_value == -1
                ? "" : " (byte 0x\(String(parser.problem_value, radix: 16, uppercase: true)))"
            return .syntax(SourceLocation(source: source, line: line, column: column), problem: problem + value)
        }
        let line = Int(parser.problem_mark.line) + 1
        let column = Int(parser.problem_mark.column) + 1
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at \(Int(parser.context_mark.line) + 1):\(Int(parser.context_mark.column) + 1))"
        }
        if lineIndentedWithTab(line, in: bytes) { message += "; tabs cannot indent YAML, use spaces" }
        return .syntax(SourceLocation(source: source, line: line, column: column), problem: message)
    }

    /// 1-based line and column of a byte offset (columns count UTF-8 sequences, not bytes).
    static func position(ofOffset offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    private static func lineIndentedWithTab(_ line: Int, in bytes: [UInt8]) -> Bool {
        var current = 1
        var atIndent = true
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if current == line { return false }
                current += 1
                atIndent = true
                continue
            }
            guard current == line, atIndent else { continue }
            if byte == UInt8(ascii: "\t") { return true }
            if byte != UInt8(ascii: " ") { atIndent = false }
        }
        return false
    }
}

/// The state of `YAMLParser` between events.
private struct TreeBuilder {
    private enum Frame {
        case sequence(mark: YAMLMark, anchor: String?, items: [YAMLNode])
        case mapping(
            mark: YAMLMark, anchor: String?, entries: [YAMLNode.Entry], key: YAMLNode?, seen: [String: YAMLMark])
    }

    let source: String
    private(set) var root: YAMLNode?
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var openAnchors: Set<String> = []
    private var documents = 0

    init(source: String) { self.source = source }

    private func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(source: source, line: mark.line, column: mark.column)
    }

    mutating func consume(_ event: yaml_event_t) throws(ConfigError) {
        let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw .invalidDocument(
                    location(mark), problem: "a config file holds one YAML document, found a second one")
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(
                decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
            var style: YAMLNode.ScalarStyle = scalar.style == YAML_PLAIN_SCALAR_STYLE ? .plain : .string
            if let tag = Self.string(scalar.tag) {
                switch tag {
                case "!", "tag:yaml.org,2002:str": style = .string
                case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                    "tag:yaml.org,2002:null":
                    break
                default: throw unsupportedTag(tag, at: mark)
                }
            }
            let node = YAMLNode(kind: .scalar(text, style), mark: mark)
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = node }
            try add(node)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            if openAnchors.contains(name) {
                throw .invalidDocument(
                    location(mark), problem: "alias '*\(YAMLScalar.forMessage(name))' refers to a node that contains it"
                )
            }
            guard var node = anchors[name] else {
                throw .invalidDocument(location(mark), problem: "undefined alias '*\(YAMLScalar.forMessage(name))'")
            }
            node.mark = mark
            try add(node)
        case YAML_SEQUENCE_START_EVENT:
            try checkDepth(mark)
            let start = event.data.sequence_start
            try checkCollectionTag(Self.string(start.tag), expected: "tag:yaml.org,2002:seq", at: mark)
            let anchor = Self.string(start.anchor)
            if let anchor { openAnchors.insert(anchor) }
            stack.append(.sequence(mark: mark, anchor: anchor, items: []))
        case YAML_MAPPING_START_EVENT:
            try checkDepth(mark)
            let start = event.data.mapping_start
            try checkCollectionTag(Self.string(start.tag), expected: "tag:yaml.org,2002:map", at: mark)
            let anchor = Self.string(start.anchor)
            if let anchor { openAnchors.insert(anchor) }
            stack.append(.mapping(mark: mark, anchor: anchor, entries: [], key: nil, seen: [:]))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let node: YAMLNode
            let anchor: String?
            switch frame {
            case let .sequence(start, name, items):
                node = YAMLNode(kind: .sequence(items), mark: start)
                anchor = name
            case let .mapping(start, name, entries, _, _):
                node = YAMLNode(kind: .mapping(try Self.merged(entries, source: source)), mark: start)
                anchor = name
            }
            if let anchor {
                openAnchors.remove(anchor)
                anchors[anchor] = node
            }
            try add(node)
        default:
            break
        }
    }

    private func checkDepth(_ mark: YAMLMark) throws(ConfigError) {
        if stack.count >= YAMLParser.maximumDepth {
            throw .invalidDocument(location(mark), problem: "nesting deeper than \(YAMLParser.maximumDepth) levels")
        }
    }

    private func checkCollectionTag(_ tag: String?, expected: String, at mark: YAMLMark) throws(ConfigError) {
        if let tag, tag != expected, tag != "!" { throw unsupportedTag(tag, at: mark) }
    }

    private func unsupportedTag(_ tag: String, at mark: YAMLMark) -> ConfigError {
        let prefix = "tag:yaml.org,2002:"
        let shown = tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
        return .invalidDocument(location(mark), problem: "unsupported YAML tag '\(YAMLScalar.forMessage(shown))'")
    }

    private mutating func add(_ node: YAMLNode) throws(ConfigError) {
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(let mark, let anchor, var items):
            items.append(node)
            stack.append(.sequence(mark: mark, anchor: anchor, items: items))
        case .mapping(let mark, let anchor, var entries, let key, var seen):
            if let key {
                entries.append(YAMLNode.Entry(key: key, value: node))
                stack.append(.mapping(mark: mark, anchor: anchor, entries: entries, key: nil, seen: seen))
            } else {
                guard case let .scalar(name, _) = node.kind else {
                    throw .invalidDocument(
                        location(node.mark), problem: "a key must be a plain value, got \(node.summary)")
                }
                if let first = seen[name] {
                    throw .invalidDocument(
                        location(node.mark),
                        problem:
                            "duplicate key '\(YAMLScalar.forMessage(name))' (first at \(first.line):\(first.column))")
                }
                seen[name] = node.mark
                stack.append(.mapping(mark: mark, anchor: anchor, entries: entries, key: node, seen: seen))
            }
        }
    }

    /// Applies YAML merge keys (`<<: *base` or `<<: [*a, *b]`): keys written in the mapping win, then
    /// earlier merged mappings over later ones. Merged mappings were merged when they were built, so
    /// this is one pass over their entries (no re-expansion, whatever the alias chain).
    private static func merged(_ entries: [YAMLNode.Entry], source: String) throws(ConfigError) -> [YAMLNode.Entry] {
        func isMergeKey(_ entry: YAMLNode.Entry) -> Bool {
            if case .scalar("<<", .plain) = entry.key.kind { return true }
            return false
        }
        guard entries.contains(where: isMergeKey) else { return entries }
        var result = entries.filter { !isMergeKey($0) }
        var present = Set(result.map(\.name))
        for entry in entries where isMergeKey(entry) {
            let sources: [YAMLNode]
            switch entry.value.kind {
            case .mapping: sources = [entry.value]
            case let .sequence(items): sources = items
            case .scalar:
                guard entry.value.isNull else {
                    throw .invalidDocument(
                        SourceLocation(source: source, line: entry.value.mark.line, column: entry.value.mark.column),
                        problem: "a merge key '<<' takes a mapping or a list of mappings, got \(entry.value.summary)")
                }
                sources = []
            }
            for mapping in sources {
                guard case let .mapping(mergedEntries) = mapping.kind else {
                    throw .invalidDocument(
                        SourceLocation(source: source, line: mapping.mark.line, column: mapping.mark.column),
                        problem: "a merge key '<<' takes a mapping or a list of mappings, got \(mapping.summary)")
                }
                for merged in mergedEntries where present.insert(merged.name).inserted {
                    result.append(merged)
                }
            }
        }
        return result
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
