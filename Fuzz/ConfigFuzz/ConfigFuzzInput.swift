import PixelConfig

/// What one fuzz input did.
enum ConfigFuzzOutcome {
    case loaded(warnings: Int)
    case rejected(String)
}

/// Runs `bytes` through every entry point of `ConfigLoader`: as raw bytes, as (lossily decoded) text,
/// and as a `--set` argument. Anything that loads must round-trip through `yamlText()`; a config that
/// does not is a bug, so it traps, which the fuzzer reports as a crash.
func exerciseConfigLoader(_ bytes: [UInt8]) -> ConfigFuzzOutcome {
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? ConfigLoader.load(path: nil, overrides: [text])
    _ = try? ConfigLoader.load(bytes: bytes, sourceName: "fuzz.yaml")
    do {
        let loaded = try ConfigLoader.load(yaml: text, sourceName: "fuzz.yaml")
        let again = try? ConfigLoader.load(yaml: loaded.config.yamlText(), sourceName: "round-trip.yaml")
        precondition(again?.config == loaded.config, "yamlText() of a loaded config does not load back equal")
        precondition(!loaded.warnings.contains { $0.contains("\n") }, "a warning spans several lines")
        return .loaded(warnings: loaded.warnings.count)
    } catch {
        precondition(!error.description.contains("\n"), "an error message spans several lines")
        return .rejected(error.description)
    }
}
