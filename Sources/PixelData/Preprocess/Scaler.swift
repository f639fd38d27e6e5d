import Foundation
import PixelConfig
import PixelCore

/// How a numeric feature column is scaled — the configuration's `data.numerical_normalization_method`:
/// `standardization` `(x − mean) / std` (population std; 1 when the column is constant); `min_max`
/// `(x − min) / (max − min)` (0 when the column is constant); `log1p_standardization`
/// `y = sign(x)·log1p(|x|)`, then standardization of `y` (heavy-tailed counts such as views); `none`.
public typealias ScalerKind = PixelConfig.NormalizationMethod

/// A fitted scaler for one column. Missing values (empty cells, NaN) transform to 0, the mean in
/// standardized units.
public struct Scaler: Sendable, Equatable, Codable {
    public var column: String
    public var kind: ScalerKind
    /// Statistics of the fitted (possibly log1p-transformed) values.
    public var mean = 0.0
    public var std = 1.0
    public var min = 0.0
    public var max = 0.0
    /// Non-missing values seen, and missing ones.
    public var count = 0
    public var missing = 0

    /// Fits on `values` (NaN = missing).
    public init(column: String, kind: ScalerKind, values: [Double]) {
        self.column = column
        self.kind = kind
        let present = values.filter { !$0.isNaN }.map { kind == .log1pStandardization ? Scaler.signedLog1p($0) : $0 }
        count = present.count
        missing = values.count - present.count
        guard !present.isEmpty else { return }
        mean = present.reduce(0, +) / Double(present.count)
        let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
        std = variance > 0 ? variance.squareRoot() : 1
        min = present.min() ?? 0
        max = present.max() ?? 0
    }

    static func signedLog1p(_ x: Double) -> Double { x < 0 ? -log1p(-x) : log1p(x) }

    /// The scaled value of `x` (NaN → 0).
    public func transform(_ x: Double) -> Float {
        guard !x.isNaN else { return 0 }
        switch kind {
        case .standardization: return Float((x - mean) / std)
        case .minMax: return max > min ? Float((x - min) / (max - min)) : 0
        case .log1pStandardization: return Float((Scaler.signedLog1p(x) - mean) / std)
        case .none: return Float(x)
        }
    }
}

/// The scalers of all numeric columns, saved as `scalers.json`
/// (`{"format": "pixelrec-scalers", "version": 1, "scalers": [...]}`).
public struct ScalerSet: Sendable, Equatable, Codable {
    public static let formatVersion = 1
    public var format = "pixelrec-scalers"
    public var version = ScalerSet.formatVersion
    public var scalers: [Scaler]

    public init(scalers: [Scaler]) { self.scalers = scalers }

    public func save(to path: String) throws { try writeJSON(self, to: path) }

    /// - Throws: `DataError.badFormat` for another format or version.
    public static func load(from path: String) throws -> ScalerSet {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataError.io(path: path, reason: IOFailure.reason(error))
        }
        guard let set = try? JSONDecoder().decode(ScalerSet.self, from: data), set.format == "pixelrec-scalers" else {
            throw DataError.badFormat(path: path, reason: "not a pixelrec scalers file")
        }
        guard set.version == formatVersion else {
            throw DataError.badFormat(path: path, reason: "scalers version \(set.version), expected \(formatVersion)")
        }
        return set
    }
}
