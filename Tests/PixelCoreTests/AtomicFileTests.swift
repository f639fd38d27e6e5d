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

    @Test("alsoAs: written once, the other path is the same file; replacing one later leaves the other intact")
    func alsoAsLinks() throws {
        let directory = try temporaryDirectory()
        let last = directory + "/last.ckpt", best = directory + "/best.ckpt"
        try AtomicFile.write(Data("epoch 1".utf8), to: last, alsoAs: [best])
        #expect(try String(contentsOfFile: best, encoding: .utf8) == "epoch 1")
        let inode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int }
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
