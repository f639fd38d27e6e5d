import Foundation

/// Brings a feature store up to date with an encoder and an item list, encoding only what is needed.
///
/// - The existing store is reused when it is valid and its identity (encoder name, model hash,
///   dimension, modality) equals the encoder's; otherwise it is rebuilt (reported as invalid or stale).
/// - Items already stored are copied; items that are new — or were stored as missing and now have an
///   input — are encoded; items without input get a zero row flagged missing (not an error).
/// - The new store lists exactly the given items, in order, and replaces the old one atomically.
public enum FeatureStoreBuilder {
    /// What an update did.
    public struct Report: Sendable, Equatable {
        public var path: String
        public var items = 0
        public var reused = 0
        public var encoded = 0
        public var missing = 0
        /// Why the existing store was not reused (`nil` when it was, or there was none).
        public var rebuildReason: String? = nil
        /// Whether a store file existed before.
        public var existed = false
        public var seconds = 0.0
        /// Items whose input existed but could not be read (corrupt image), with the reason; stored as missing.
        public var failures: [String: String] = [:]
        /// Lines for the report (e.g. the image cache's hit rates).
        public var notes: [String] = []
    }

    /// Rows for the items asked for, and the positions (in the asked list) that failed, with reasons.
    public struct Encoded: Sendable {
        public var rows: [Float]
        public var failed: [Int: String]

        public init(rows: [Float], failed: [Int: String] = [:]) {
            self.rows = rows
            self.failed = failed
        }
    }

    /// Updates the store at `path`.
    /// - Parameters:
    ///   - hasInput: per item, whether it has an image/text to encode.
    ///   - force: re-encode everything.
    ///   - encode: embeds the items at the given indices, returning `[indices.count, dimension]` rows;
    ///     called once with every index that needs encoding (the caller batches and reports progress).
    /// - Throws: the encoder's errors; `EncoderError.invalidArgument` when `encode` returns a wrong size.
    public static func update(
        path: String, identity: EncoderIdentity, ids: [String], hasInput: [Bool], force: Bool = false,
        encode: ([Int]) throws -> Encoded
    ) throws -> Report {
        let clock = Date()
        var report = Report(path: path)
        report.items = ids.count
        report.existed = FileManager.default.fileExists(atPath: path)
        var existing: FeatureStore? = nil
        if report.existed {
            do {
                let store = try FeatureStore(contentsOf: path)
                if force {
                    report.rebuildReason = "--force"
                } else if store.identity != identity {
                    report.rebuildReason = "stale: made by \(store.identity), now \(identity)"
                } else {
                    existing = store
                }
            } catch let error as EncoderError {
                report.rebuildReason = "invalid: \(error)"
            }
        }
        let d = identity.dimension
        var rows = [Float](repeating: 0, count: ids.count * d)
        var missing = [Bool](repeating: false, count: ids.count)
        var toEncode: [Int] = []
        if let existing {
            existing.withRows { stored in
                for (i, id) in ids.enumerated() {
                    if !hasInput[i] {
                        missing[i] = true
                        continue
                    }
                    if let j = existing.index[id], !existing.isMissing(j) {
                        for k in 0..<d { rows[i * d + k] = stored[j * d + k] }
                        report.reused += 1
                    } else {
                        toEncode.append(i)
                    }
                }
            }
        } else {
            for i in ids.indices {
                if hasInput[i] { toEncode.append(i) } else { missing[i] = true }
            }
        }
        if !toEncode.isEmpty {
            let encoded = try encode(toEncode)
            guard encoded.rows.count == toEncode.count * d else {
                throw EncoderError.invalidArgument(
                    "encoder returned \(encoded.rows.count) floats for \(toEncode.count) × \(d)")
            }
            for (k, i) in toEncode.enumerated() {
                if let reason = encoded.failed[k] {
                    missing[i] = true
                    report.failures[ids[i]] = reason
                    continue
                }
                for j in 0..<d { rows[i * d + j] = encoded.rows[k * d + j] }
            }
            report.encoded = toEncode.count - encoded.failed.count
        }
        report.missing = missing.filter { $0 }.count
        let unchanged =
            existing.map { $0.ids == ids && toEncode.isEmpty && $0.flags.map { $0 != 0 } == missing } ?? false
        if !unchanged {
            try FeatureStore.write(identity: identity, ids: ids, rows: rows, missing: missing, to: path)
        }
        report.seconds = Date().timeIntervalSince(clock)
        return report
    }
}
