import Foundation
import Testing

@testable import PixelCore

@Suite("Hardening: lines, I/O reasons, file sets, output overlap")
struct HardeningCoreTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "pixelrec-core-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("TextLines: LF, CRLF, BOM, trailing blanks, no final newline; NUL and bad UTF-8 name the line")
    func textLines() throws {
        let lines = try TextLines.split(Data([0xEF, 0xBB, 0xBF] + Array("a\r\nb \t\r\n\nc".utf8)), path: "l.txt")
        #expect(
            lines == [
                .init(text: "a", number: 1), .init(text: "b", number: 2), .init(text: "", number: 3),
                .init(text: "c", number: 4),
            ])
        #expect(throws: PixelError.invalidInput(path: "l.txt", line: 2, column: 0, reason: "NUL byte in the line")) {
            try TextLines.split(Data("a\nb\u{0}c\n".utf8), path: "l.txt")
        }
        #expect(throws: PixelError.invalidInput(path: "l.txt", line: 1, column: 0, reason: "not UTF-8 text")) {
            try TextLines.split(Data([0x61, 0xFF, 0x0A]), path: "l.txt")
        }
    }

    @Test("IOFailure: Foundation's Code=640 and friends in words")
    func reasons() {
        #expect(IOFailure.reason(CocoaError(.fileWriteOutOfSpace)) == "no space left on device")
        #expect(IOFailure.reason(CocoaError(.fileWriteNoPermission)) == "permission denied")
        #expect(IOFailure.reason(CocoaError(.fileWriteVolumeReadOnly)) == "read-only file system")
        #expect(IOFailure.reason(errno: ENOSPC) == "no space left on device")
        #expect(IOFailure.reason(NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))) == "permission denied")
    }

    @Test("AtomicFileSet: a failing body leaves the old set; a new set replaces it, keeping foreign entries")
    func fileSet() throws {
        struct Interrupted: Error {}
        let root = try folder()
        let set = root + "/set"
        try AtomicFileSet.write(directory: set) { staging in
            try AtomicFile.write("1a", to: staging + "/a.csv")
            try AtomicFile.write("1b", to: staging + "/b.csv")
        }
        try AtomicFile.write("keep", to: set + "/images/x.jpg")
        #expect(throws: Interrupted.self) {
            try AtomicFileSet.write(directory: set) { staging in
                try AtomicFile.write("2a", to: staging + "/a.csv")
                throw Interrupted()
            }
        }
        #expect(try String(contentsOfFile: set + "/a.csv", encoding: .utf8) == "1a")
        try AtomicFileSet.write(directory: set, owning: ["b.csv"]) { staging in
            try AtomicFile.write("3a", to: staging + "/a.csv")
        }
        #expect(try String(contentsOfFile: set + "/a.csv", encoding: .utf8) == "3a")
        #expect(!FileManager.default.fileExists(atPath: set + "/b.csv"), "an owned file of the old set stays gone")
        #expect(try String(contentsOfFile: set + "/images/x.jpg", encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["set"])
    }

    @Test("CommandPaths: same path, hard link, folder containing an input, output inside an input folder")
    func overlap() throws {
        let root = try folder()
        try AtomicFile.write("x", to: root + "/in/data.csv")
        #expect(link(root + "/in/data.csv", root + "/alias.csv") == 0)
        func check(_ output: String, directory: Bool = false) -> String? {
            var paths = CommandPaths()
            paths.input(root + "/in/data.csv", "--data")
            paths.input(root + "/images", "--images", directory: true)
            paths.output(output, "--output", directory: directory)
            do { try paths.check() } catch { return "\(error)" }
            return nil
        }
        let data = root + "/in/data.csv"
        #expect(
            check(root + "/in/../in/data.csv")
                == "\(root)/in/../in/data.csv: is also an input (--data \(data)); choose another output")
        #expect(
            check(root + "/alias.csv") == "\(root)/alias.csv: is also an input (--data \(data)); choose another output")
        #expect(
            check(root + "/in", directory: true)
                == "\(root)/in: is also an input (--data \(data)); choose another output")
        #expect(check(root + "/images/new/out.json") != nil)
        #expect(check(root + "/other/out.json") == nil)
    }
}
