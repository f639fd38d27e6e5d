import Foundation
import PixelCore

/// TensorBoard event files (`events.out.tfevents.*`): TFRecord framing
/// (`length u64 LE · masked_crc32c(length) u32 · data · masked_crc32c(data) u32`) around hand-encoded
/// `tensorflow.Event` protobufs carrying `Summary.Value.simple_value` scalars.
public enum TensorBoardWriter {
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
    public static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0x82F6_3B78 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    /// TFRecord's masked CRC: `((c >> 15) | (c << 17)) + 0xa282ead8`.
    public static func maskedCRC(_ bytes: [UInt8]) -> UInt32 {
        let c = crc32c(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func lengthDelimited(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(field << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    /// An `Event` protobuf: `wall_time` (1, double), `step` (2, int64), then `file_version` (3) or
    /// `summary` (5) with one `Value{tag (1), simple_value (2, float)}` per scalar.
    public static func event(wallTime: Double, step: Int64, fileVersion: String? = nil, scalars: [(String, Float)] = [])
        -> [UInt8]
    {
        var out: [UInt8] = [0x09]
        withUnsafeBytes(of: wallTime.bitPattern.littleEndian) { out += $0 }
        out += [0x10] + varint(UInt64(bitPattern: step))
        if let fileVersion { out += lengthDelimited(3, Array(fileVersion.utf8)) }
        if !scalars.isEmpty {
            var summary: [UInt8] = []
            for (tag, value) in scalars {
                var v = lengthDelimited(1, Array(tag.utf8))
                v.append(0x15)
                withUnsafeBytes(of: value.bitPattern.littleEndian) { v += $0 }
                summary += lengthDelimited(1, v)
            }
            out += lengthDelimited(5, summary)
        }
        return out
    }

    /// One TFRecord around `data`.
    public static func record(_ data: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length += $0 }
        var out = length
        withUnsafeBytes(of: maskedCRC(length).littleEndian) { out += $0 }
        out += data
        withUnsafeBytes(of: maskedCRC(data).littleEndian) { out += $0 }
        return out
    }

    /// Writes (atomically) the event file of a run with every epoch's scalars (`train/loss`,
    /// `train/learning_rate`, `val/<metric>`), step = epoch.
    public static func write(history: [EpochRecord], runStarted: Double, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes = record(event(wallTime: runStarted, step: 0, fileVersion: "brain.Event:2"))
        var wall = runStarted
        for r in history {
            wall += r.seconds
            var scalars: [(String, Float)] = [
                ("train/loss", Float(r.trainLoss)), ("train/recommendation_loss", Float(r.recommendationLoss)),
                ("train/learning_rate", Float(r.learningRate)), ("train/steps_per_second", Float(r.stepsPerSecond)),
            ]
            if r.contrastiveLoss != 0 { scalars.append(("train/contrastive_loss", Float(r.contrastiveLoss))) }
            if r.pairwiseLoss != 0 { scalars.append(("train/pairwise_loss", Float(r.pairwiseLoss))) }
            for key in r.validation.keys.sorted() { scalars.append(("val/\(key)", Float(r.validation[key]!))) }
            bytes += record(event(wallTime: wall, step: Int64(r.epoch), scalars: scalars))
        }
        let name = "events.out.tfevents.\(Int(runStarted)).pixelrec"
        try AtomicFile.write(Data(bytes), to: directory + "/" + name)
    }
}
