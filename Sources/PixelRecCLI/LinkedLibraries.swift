import CBLAS
import CLAPACKE
import CPNG
import CTurboJPEG
import CYAML

/// Versions and settings of the C libraries pixelrec is linked against (shown by `--version`).
public enum LinkedLibraries {
    /// One line per library.
    public static var summary: [String] {
        var lines: [String] = []
        if let config = openblas_get_config() { lines.append("OpenBLAS: " + String(cString: config)) }
        lines.append("libyaml: " + String(cString: yaml_get_version_string()))
        lines.append("libpng: " + String(cString: png_get_libpng_ver(nil)))
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        LAPACKE_ilaver(&major, &minor, &patch)
        lines.append("LAPACK: \(major).\(minor).\(patch)")
        if let handle = tjInitDecompress() {
            lines.append("TurboJPEG: available")
            tjDestroy(handle)
        }
        return lines
    }
}
