import Foundation
import Testing

@testable import PixelModels

@Suite("TensorBoard event files")
struct TensorBoardTests {
    @Test("CRC-32C check value and TFRecord masking")
    func crc() {
        // The CRC-32C check value of "123456789" (RFC 3720, B.4).
        #expect(TensorBoardWriter.crc32c(Array("123456789".utf8)) == 0xE306_9283)
        #expect(TensorBoardWriter.crc32c([]) == 0)
        let c = TensorBoardWriter.crc32c([1, 2, 3])
        #expect(TensorBoardWriter.maskedCRC([1, 2, 3]) == ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
    }

    @Test("an Event with one scalar encodes to the protobuf bytes worked out by hand")
    func eventBytes() {
        let bytes = TensorBoardWriter.event(wallTime: 1.5, step: 3, scalars: [("a", 2)])
        // 09 <1.5 as LE double> 10 03 | 2a 0a (Summary, 10 bytes) | 0a 08 (Value, 8 bytes) | 0a 01 'a' | 15 <2.0 as LE float>
        let expected: [UInt8] = [
            0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x10, 0x03, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0, 0, 0,
            0x40,
        ]
        #expect(bytes == expected)
        let record = TensorBoardWriter.record(bytes)
        #expect(record.count == 8 + 4 + bytes.count + 4)
        #expect(Array(record[0..<8]) == [UInt8(bytes.count), 0, 0, 0, 0, 0, 0, 0])
    }
}
