import Foundation

/// Finding and fingerprinting model files in a model folder.
public enum ModelFiles {
    /// The `.onnx` file to use in `directory`: the first of `names` that exists, else the one whose name
    /// contains `hint`, else the only `.onnx` file.
    /// - Throws: `EncoderError.missingFile` (folder or model absent) or `.malformedFile` (several
    ///   candidates and nothing to choose by).
    public static func locate(in directory: String, names: [String], hint: String?) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EncoderError.missingFile(path: directory, what: "model folder")
        }
        for name in names where FileManager.default.fileExists(atPath: directory + "/" + name) {
            return directory + "/" + name
        }
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".onnx") }.sorted()
        if let hint, let match = models.first(where: { $0.lowercased().contains(hint) }) {
            return directory + "/" + match
        }
        if models.count == 1 { return directory + "/" + models[0] }
        if models.isEmpty { throw EncoderError.missingFile(path: directory, what: "ONNX model (.onnx)") }
        throw EncoderError.malformedFile(
            path: directory,
            reason: "several .onnx files (\(models.joined(separator: ", "))); name one \(names.first ?? "model.onnx")")
    }

    /// A 64-bit fingerprint of a file's bytes and size, as 16 hex digits: four interleaved
    /// multiply–xor lanes over little-endian 8-byte words (≈ 5 GB/s), then mixed. Not cryptographic;
    /// it detects a changed model file.
    /// - Throws: `EncoderError.missingFile` when unreadable.
    public static func fingerprint(_ path: String) throws -> String {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw EncoderError.missingFile(path: path, what: "model file")
        }
        return fingerprint(data)
    }

    static func fingerprint(_ data: Data) -> String {
        let prime: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (
            0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
        )
        data.withUnsafeBytes { raw in
            let words = raw.count / 8
            var i = 0
            while i + 4 <= words {
                lanes.0 = (lanes.0 ^ raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) &* prime
                lanes.1 = (lanes.1 ^ raw.loadUnaligned(fromByteOffset: 8 * (i + 1), as: UInt64.self)) &* prime
                lanes.2 = (lanes.2 ^ raw.loadUnaligned(fromByteOffset: 8 * (i + 2), as: UInt64.self)) &* prime
                lanes.3 = (lanes.3 ^ raw.loadUnaligned(fromByteOffset: 8 * (i + 3), as: UInt64.self)) &* prime
                lanes.0 ^= lanes.0 >> 29
                lanes.1 ^= lanes.1 >> 29
                lanes.2 ^= lanes.2 >> 29
                lanes.3 ^= lanes.3 >> 29
                i += 4
            }
            var tail: UInt64 = UInt64(raw.count)
            for k in (8 * i)..<raw.count { tail = (tail ^ UInt64(raw[k])) &* prime }
            lanes.0 = (lanes.0 ^ tail) &* prime
        }
        var h = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7) ^ UInt64(data.count)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
