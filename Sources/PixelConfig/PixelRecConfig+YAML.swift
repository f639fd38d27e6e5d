extension PixelRecConfig {
    /// The effective configuration as YAML: every key with its value and a one-line comment, in the
    /// order of `configs/default_config.yaml` (which is `PixelRecConfig().yamlText()`).
    ///
    /// `ConfigLoader.load(yaml: config.yamlText(), sourceName: …).config == config` for every valid config.
    public func yamlText() -> String {
        var lines = [
            "# pixelrec configuration: every key with its value.",
            "# Use with `pixelrec <command> --config <file>`; change one key with `--set key.path=value`.",
            "# Keys left out of a config file keep the values shown here. Top-level keys starting with x- are",
            "# skipped: use them to hold YAML anchors (x-common: &common ...) merged elsewhere with <<: *common.",
        ]
        var open: [Substring] = []
        for field in ConfigSchema.fields {
            let sections = field.sections
            var shared = 0
            while shared < min(open.count, sections.count) && open[shared] == sections[shared] { shared += 1 }
            open.removeLast(open.count - shared)
            for depth in shared..<sections.count {
                let path = sections[...depth].joined(separator: ".")
                let indent = String(repeating: "  ", count: depth)
                if depth == 0 { lines.append("") }
                if let summary = ConfigSchema.sectionSummaries[path] { lines.append(indent + "# " + summary) }
                lines.append(indent + sections[depth] + ":")
                open.append(sections[depth])
            }
            if sections.isEmpty && open.isEmpty && lines.last != "" { lines.append("") }
            let indent = String(repeating: "  ", count: sections.count)
            var comment = field.summary
            if let allowed = field.allowedValues { comment += "; one of " + allowed.joined(separator: " | ") }
            lines.append(indent + "# " + comment)
            lines.append(indent + field.name + ": " + field.render(self))
        }
        lines.append("")
        lines.append("# Keys of the Python framework accepted with a warning and ignored:")
        for (path, reason) in ConfigSchema.ignoredKeys {
            lines.append("#   \(path): \(reason)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The value of one key as YAML text (`"0.001"`, `"[512, 256, 128]"`), `nil` for an unknown key path.
    public func yamlValue(forKeyPath path: String) -> String? {
        ConfigSchema.field(path)?.render(self)
    }
}
