import Foundation

/// A configuration with what was noticed while reading it.
public struct LoadedConfig: Sendable {
    /// The effective configuration: defaults, then the file, then the `--set` overrides.
    public var config: PixelRecConfig
    /// One line each, e.g. `configs/x.yaml:30:3: training.num_workers is ignored: …`.
    public var warnings: [String]
    /// The file read, `nil` when none was given.
    public var sourcePath: String?

    public init(config: PixelRecConfig, warnings: [String] = [], sourcePath: String? = nil) {
        self.config = config
        self.warnings = warnings
        self.sourcePath = sourcePath
    }
}

/// Reads configurations: YAML text (libyaml) → node tree with line:column marks → typed, validated
/// `PixelRecConfig`.
///
/// Rules: every key must be known (a misspelt key is an error with a suggestion; a key of the Python
/// framework with no meaning here is accepted with a warning); every value must have its key's type and
/// range; one document per file; an empty file means the defaults.
public enum ConfigLoader {
    /// Largest config file read (configs are small; this bounds memory on a wrong path).
    public static let maximumFileSize = 16 << 20

    /// Loads the defaults, then the file at `path` (if any), then `overrides`.
    ///
    /// - Parameters:
    ///   - path: a YAML file; `nil` starts from the defaults.
    ///   - overrides: `key.path=value` strings from `--set`; the value is read as a YAML scalar or flow
    ///     sequence (`model.fusion_hidden_dims=[256,128]`). Applied in order after the file.
    /// - Throws: `ConfigError`, whose description is one line naming the file, line:column and key.
    public static func load(path: String?, overrides: [String] = []) throws(ConfigError) -> LoadedConfig {
        guard let path else {
            var decoder = ConfigDecoder()
            return try finish(&decoder, overrides: overrides, sourcePath: nil)
        }
        let bytes = try readFile(path)
        return try load(bytes: bytes, sourceName: path, overrides: overrides, sourcePath: path)
    }

    /// Loads YAML text; `sourceName` names it in messages (a path, `<stdin>`, …).
    public static func load(yaml: String, sourceName: String, overrides: [String] = []) throws(ConfigError)
        -> LoadedConfig
    {
        try load(bytes: Array(yaml.utf8), sourceName: sourceName, overrides: overrides, sourcePath: nil)
    }

    /// Loads raw bytes (UTF-8 or UTF-16 with a BOM); the fuzz target's entry point.
    public static func load(bytes: [UInt8], sourceName: String, overrides: [String] = []) throws(ConfigError)
        -> LoadedConfig
    {
        try load(bytes: bytes, sourceName: sourceName, overrides: overrides, sourcePath: nil)
    }

    private static func load(bytes: [UInt8], sourceName: String, overrides: [String], sourcePath: String?)
        throws(ConfigError) -> LoadedConfig
    {
        let root = try YAMLParser.parse(bytes, source: sourceName)
        var decoder = ConfigDecoder()
        try decoder.decodeDocument(root, source: sourceName)
        return try finish(&decoder, overrides: overrides, sourcePath: sourcePath)
    }

    private static func finish(_ decoder: inout ConfigDecoder, overrides: [String], sourcePath: String?)
        throws(ConfigError) -> LoadedConfig
    {
        for override in overrides { try decoder.applyOverride(override) }
        try decoder.validate()
        return LoadedConfig(config: decoder.config, warnings: decoder.warnings, sourcePath: sourcePath)
    }

    private static func readFile(_ path: String) throws(ConfigError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumFileSize {
                throw .unreadableFile(path: path, reason: "larger than \(maximumFileSize >> 20) MiB, not a config file")
            }
        }
        return bytes
    }
}
