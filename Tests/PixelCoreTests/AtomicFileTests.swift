import Foundation
import Testing

@testable import PixelCore

@Suite("AtomicFile")
struct AtomicFileTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "pixelrec-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("writes a new file, creating parent folders, and leaves no temporary file")
    func writesNewFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a/b/out.txt"
        try AtomicFile.write("hello\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/a/b") == ["out.txt"])
    }

    @Test("UnbufferedWriter: exact bytes and length across staging chunks and odd pieces (disk and, if present, tmpfs)")
    func unbufferedWriter() throws {
        // Pieces of odd sizes straddling the 8 MiB staging chunk and the 4 KiB blocks; an empty piece.
        let sizes = [16, 0, 4093, (8 << 20) - 5000, 12_345, (8 << 20) + 77, 3]
        let total = sizes.reduce(0, +)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let words: [UInt64] = (0...(total / 8)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        let bytes = words.withUnsafeBytes { [UInt8]($0.prefix(total)) }
        var start = 0
        let pieces: [ArraySlice<UInt8>] = sizes.map { n in
            defer { start += n }
            return bytes[start..<(start + n)]
        }
        let expected = Data(bytes)
        var directories = [try temporaryDirectory()]
        if FileManager.default.fileExists(atPath: "/dev/shm") {  // tmpfs: no O_DIRECT, the buffered fallback
            let shm = "/dev/shm/pixelrec-atomic-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
            directories.append(shm)
        }
        for directory in directories {
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/out.bin"
            try AtomicFile.write(to: path) { handle in
                let writer = UnbufferedWriter(handle: handle, path: path)
                for piece in pieces { try piece.withUnsafeBytes { try writer.append($0) } }
                try writer.finish()
            }
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written.count == expected.count, "\(directory)")
            #expect(written == expected, "\(directory)")
        }
    }

    @Test("alsoAs: written once, the other path is the same file; replacing one later leaves the other intact")
    func alsoAsLinks() throws {
        let directory = try temporaryDirectory()
        let last = directory + "/last.ckpt", best = directory + "/best.ckpt"
        try AtomicFile.write(Data("epoch 1".utf8), to: last, alsoAs: [best])
        #expect(try String(contentsOfFile: best, encoding: .utf8) == "epoch 1")
        let inode = { (path: String) in
            try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        }
        #expect(try inode(last) == inode(best))
        try AtomicFile.write(Data("epoch 2".utf8), to: last)
        #expect(try String(contentsOfFile: last, encoding: .utf8) == "epoch 2")
        #expect(try String(contentsOfFile: best, encoding: .utf8) == "epoch 1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["best.ckpt", "last.ckpt"])
    }

    @Test("a write that throws midway keeps the previous file intact and removes the temporary file")
    func failedWriteKeepsOldFile() throws {
        struct Interrupted: Error {}
        let directory = try temporaryDirectory()
        let path = directory + "/model.ckpt"
        try AtomicFile.write("good", to: path)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: path) { handle in
                try handle.write(contentsOf: Data("partial".utf8))
                throw Interrupted()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "good")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.ckpt"])
    }

    @Test("an unwritable destination is a one-line error naming the path")
    func unwritableDestination() throws {
        let directory = try temporaryDirectory()
        let blocker = directory + "/file"
        try AtomicFile.write("x", to: blocker)
        let error = #expect(throws: PixelError.self) { try AtomicFile.write("y", to: blocker + "/inside.txt") }
        #expect(error?.description.contains(blocker) == true)
        #expect(error?.description.contains("\n") == false)
    }
}
