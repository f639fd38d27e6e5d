import Foundation
import PixelONNX

/// Locations of the shared model folder and the Debian ONNX test data.
enum TestPaths {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `$PIXELREC_SHARED` or `../shared` next to the package root.
    static let shared: String = {
        if let env = ProcessInfo.processInfo.environment["PIXELREC_SHARED"], !env.isEmpty { return env }
        return URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared").path
    }()

    static var models: String { shared + "/models" }

    /// The full-size CLIP ViT-B/32 export (`export_clip.py --size base`, too large to ship):
    /// `$PIXELREC_CLIP_DIR`, else `bench/.work/clip-vit-b32` (where `make bench BENCH=onnx` exports it).
    static let clipBase: String = {
        if let env = ProcessInfo.processInfo.environment["PIXELREC_CLIP_DIR"], !env.isEmpty { return env }
        return packageRoot + "/bench/.work/clip-vit-b32"
    }()

    static let nodeTests = "/usr/share/libonnx-testdata/data/node"

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// Comparison helpers with the tolerances the tests state.
enum Compare {
    /// Largest `|a - b|`; NaNs must match position for position.
    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        var m: Float = 0
        for i in 0..<min(a.count, b.count) {
            if a[i].isNaN && b[i].isNaN { continue }
            if a[i] == b[i] { continue }
            let d = abs(a[i] - b[i])
            if d.isNaN { return .infinity }
            m = max(m, d)
        }
        return m
    }

    /// True when every element satisfies `|a - b| <= atol + rtol·|b|` (NaN matches NaN, inf matches inf).
    static func allClose(_ a: [Float], _ b: [Float], atol: Float = 1e-4, rtol: Float = 1e-4) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count {
            if a[i].isNaN || b[i].isNaN { if a[i].isNaN != b[i].isNaN { return false }; continue }
            if a[i] == b[i] { continue }
            if abs(a[i] - b[i]) > atol + rtol * abs(b[i]) { return false }
        }
        return true
    }

    /// Minimum cosine similarity between corresponding rows of two `[rows, n]` arrays.
    static func minRowCosine(_ a: [Float], _ b: [Float], rows: Int) -> Double {
        let n = a.count / max(rows, 1)
        var worst = 1.0
        for r in 0..<rows {
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in 0..<n {
                let x = Double(a[r * n + i]), y = Double(b[r * n + i])
                dot += x * y; na += x * x; nb += y * y
            }
            worst = min(worst, na == 0 && nb == 0 ? 1 : dot / (na.squareRoot() * nb.squareRoot()))
        }
        return worst
    }
}
