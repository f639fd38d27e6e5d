/// A setting whose values are a fixed set of names, spelled the same (`rawValue`) in every file that
/// holds one: the YAML configuration, and the JSON that records a setting (checkpoint headers).
/// Every enum of a configuration key is one; modules below and above the configuration use these
/// enums rather than twins or strings of their own.
public protocol SettingEnum: CaseIterable, Codable, RawRepresentable where RawValue == String {}

extension SettingEnum {
    /// Reads the value's name; a name outside the set fails with the field's coding path and the
    /// allowed names (`'huge' is not one of pretrained, enhanced`), as the configuration's own error does.
    /// - Throws: `DecodingError.dataCorrupted` for an unknown name, the container's error for a non-string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self(rawValue: name) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(YAMLScalar.forMessage(name))' is not one of \(allowed)")
        }
        self = value
    }
}
