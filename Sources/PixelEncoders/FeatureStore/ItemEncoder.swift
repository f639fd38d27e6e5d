import Foundation
import PixelCore
import PixelImage
import Synchronization

/// Encodes item images and texts in batches, in parallel where the encoder allows, with progress.
public struct ItemEncoder: Sendable {
    /// Items per encoder batch.
    public var batchSize: Int
    /// Worker threads for decoding and per-item preparation.
    public var threads: Int
    /// Progress display for the bars this creates.
    public var progressStyle: ProgressStyle?

    public init(batchSize: Int = 32, threads: Int = 2, progressStyle: ProgressStyle? = nil) {
        self.batchSize = max(1, batchSize)
        self.threads = max(1, threads)
        self.progressStyle = progressStyle
    }

    /// Embeds the images at `paths`: decode (EXIF orientation applied) and `prepare` run on `threads`
    /// workers per batch, then `encode` runs once per batch. Unreadable images are reported in `failed`
    /// (by position) with a zero row rather than stopping the run.
    /// - Parameter prepared: the encoder-ready tensor of an image path, when it comes from elsewhere than
    ///   decoding and `encoder.prepare` here (an image cache); it must equal `encoder.prepare(decode(path))`.
    public func encodeImages(
        paths: [String], with encoder: any ImageEncoder, title: String = "images",
        prepared source: (@Sendable (String) throws -> [Float])? = nil
    )
        throws -> FeatureStoreBuilder.Encoded
    {
        let d = encoder.identity.dimension, prepared = encoder.preparedCount
        var rows = [Float](repeating: 0, count: paths.count * d)
        var failed: [Int: String] = [:]
        let progress = Progress(title, total: paths.count, unit: "images", style: progressStyle)
        let batches = stride(from: 0, to: paths.count, by: batchSize).map { $0..<min($0 + batchSize, paths.count) }
        let batchesInFlight = encoder.allowsConcurrentBatches ? threads : 1
        // Per batch: a parallel prepare phase, then one encode call.
        let failures = Mutex<[Int: String]>([:])
        let firstError = Mutex<Error?>(nil)
        let output = UnsafeSendableBuffer(count: rows.count)
        DispatchQueue.concurrentPerform(iterations: batchesInFlight) { worker in
            var b = worker
            while b < batches.count {
                if firstError.withLock({ $0 != nil }) { return }
                let range = batches[b]
                let inputs = UnsafeSendableBuffer(count: range.count * prepared)
                let ok = Mutex([Bool](repeating: true, count: range.count))
                let lanes = batchesInFlight > 1 ? 1 : min(threads, range.count)
                DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                    var k = lane
                    while k < range.count {
                        let index = range.lowerBound + k
                        do {
                            let values: [Float]
                            if let source {
                                values = try source(paths[index])
                            } else {
                                values = encoder.prepare(try ImageCodec.decode(contentsOf: paths[index]))
                            }
                            guard values.count == prepared else {
                                throw EncoderError.malformedFile(
                                    path: paths[index],
                                    reason: "prepared tensor of \(values.count) values, the encoder takes \(prepared)")
                            }
                            inputs.copy(values, at: k * prepared)
                        } catch {
                            ok.withLock { $0[k] = false }
                            failures.withLock { $0[index] = "\(error)" }
                        }
                        k += lanes
                    }
                }
                do {
                    let encoded = try encoder.encode(prepared: inputs.array, count: range.count)
                    let good = ok.withLock { $0 }
                    for k in 0..<range.count where good[k] {
                        output.copy(Array(encoded[(k * d)..<((k + 1) * d)]), at: (range.lowerBound + k) * d)
                    }
                } catch {
                    firstError.withLock { if $0 == nil { $0 = error } }
                    return
                }
                progress.advance(by: range.count)
                b += batchesInFlight
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        rows = output.array
        failed = failures.withLock { $0 }
        progress.finish(failed.isEmpty ? nil : "\(failed.count) unreadable")
        return FeatureStoreBuilder.Encoded(rows: rows, failed: failed)
    }

    /// Embeds `texts` in length-sorted batches (less padding), results in the original order.
    public func encodeTexts(_ texts: [String], with encoder: any TextEncoder, title: String = "texts") throws
        -> FeatureStoreBuilder.Encoded
    {
        let d = encoder.identity.dimension
        let progress = Progress(title, total: texts.count, unit: "texts", style: progressStyle)
        // Characters approximate token counts well enough for grouping.
        let batches = TokenizedBatch.lengthSortedBatches(lengths: texts.map { $0.utf8.count }, batchSize: batchSize)
        let output = UnsafeSendableBuffer(count: texts.count * d)
        let firstError = Mutex<Error?>(nil)
        let workers = encoder.allowsConcurrentBatches ? threads : 1
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var b = worker
            while b < batches.count {
                if firstError.withLock({ $0 != nil }) { return }
                let batch = batches[b]
                do {
                    let rows = try encoder.encode(batch.map { texts[$0] })
                    for (k, index) in batch.enumerated() {
                        output.copy(Array(rows[(k * d)..<((k + 1) * d)]), at: index * d)
                    }
                } catch {
                    firstError.withLock { if $0 == nil { $0 = error } }
                    return
                }
                progress.advance(by: batch.count)
                b += workers
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        progress.finish()
        return FeatureStoreBuilder.Encoded(rows: output.array)
    }
}

/// A fixed-size float buffer written from several threads at disjoint offsets.
final class UnsafeSendableBuffer: @unchecked Sendable {
    private let pointer: UnsafeMutableBufferPointer<Float>
    private let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0)
    }

    deinit { pointer.deallocate() }

    /// Copies `values` to `offset…` (callers write disjoint ranges).
    func copy(_ values: [Float], at offset: Int) {
        values.withUnsafeBufferPointer { source in
            for (k, value) in source.enumerated() where offset + k < pointer.count { pointer[offset + k] = value }
        }
    }

    var array: [Float] { Array(pointer.prefix(count)) }
}
