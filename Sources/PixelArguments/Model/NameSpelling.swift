/// The spellings a long name is accepted under.
enum NameSpelling {
    /// `sample-users` → `sample_users`.
    static func snake(_ kebab: String) -> String {
        String(kebab.map { $0 == "-" ? "_" : $0 })
    }

    /// The kebab name and, when different, its snake-case spelling.
    static func accepted(_ kebab: String) -> [String] {
        let snake = snake(kebab)
        return snake == kebab ? [kebab] : [kebab, snake]
    }

    /// Whether `name` is a valid declared name: lowercase letters, digits and single inner dashes.
    static func isKebab(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter, name.last != "-" else { return false }
        var previousDash = false
        for c in name {
            let ok = (c.isASCII && (c.isLowercase || c.isNumber)) || c == "-"
            if !ok || (c == "-" && previousDash) { return false }
            previousDash = c == "-"
        }
        return true
    }
}
