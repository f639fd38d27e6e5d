import Foundation

/// Locates `../shared` (env `PIXELREC_SHARED`, default `../shared` beside the package root) and reads
/// its reference files. Tests that need it skip with a message when it is absent.
enum SharedFixtures {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var root: URL {
        if let env = ProcessInfo.processInfo.environment["PIXELREC_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var models: URL { root.appendingPathComponent("models") }

    /// `models/<relative>` when it exists.
    static func model(_ relative: String) -> URL? {
        let url = models.appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func skipMessage(_ relative: String) -> String {
        "skipped: \(models.appendingPathComponent(relative).path) not found (set PIXELREC_SHARED)"
    }

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pixelrec-enc-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A minimal `.npy` reader for test references (v1–3 headers, little-endian `<f4`, `<i8`, `|u1`, C order).
struct NpyArray {
    var shape: [Int]
    var floats: [Float] = []
    var ints: [Int64] = []
    var bytes: [UInt8] = []

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard data.count > 10, data.prefix(6) == Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else {
            throw FormatError(description: "\(url.path): not .npy")
        }
        let major = data[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(data[8]) | Int(data[9]) << 8
            headerStart = 10
        } else {
            headerLength = Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
            headerStart = 12
        }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard !header.contains("'fortran_order': True") else { throw FormatError(description: "Fortran order") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else {
            throw FormatError(description: "\(url.path): no shape")
        }
        shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let body = data.subdata(in: (headerStart + headerLength)..<data.count)
        if header.contains("'<f4'") {
            floats = body.withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(count)) }
        } else if header.contains("'<i8'") {
            ints = body.withUnsafeBytes { Array($0.bindMemory(to: Int64.self).prefix(count)) }
        } else if header.contains("'|u1'") {
            bytes = Array(body.prefix(count))
        } else {
            throw FormatError(description: "\(url.path): unsupported dtype in \(header)")
        }
    }
}
