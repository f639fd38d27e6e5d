/// Greedy word wrapping by character count (grapheme clusters), for help text.
enum TextWrapper {
    /// Lines of at most `width` characters (a single longer word gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` wrapped to `width`, the first line prefixed by `first` and later ones by `indent` spaces.
    static func wrap(_ text: String, first: String, indent: Int, width: Int) -> [String] {
        let lines = wrap(text, width: max(width - indent, 20))
        let pad = String(repeating: " ", count: indent)
        return lines.enumerated().map { i, line in ((i == 0 ? first : pad) + line).trimmingTrailingSpaces }
    }

    /// Paragraphs separated by blank lines are reflowed; lines starting with a space are kept verbatim.
    static func paragraphs(_ text: String, width: Int) -> [String] {
        var out: [String] = []
        var pending: [String] = []
        func flush() {
            if !pending.isEmpty { out += wrap(pending.joined(separator: " "), width: width) }
            pending = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingSpaces.isEmpty {
                flush()
                if out.last != "" && !out.isEmpty { out.append("") }
            } else if line.first == " " {
                flush()
                out.append(line)
            } else {
                pending.append(line.trimmingSpaces)
            }
        }
        flush()
        while out.last == "" { out.removeLast() }
        return out
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
