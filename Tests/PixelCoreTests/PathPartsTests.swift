import Testing

@testable import PixelCore

@Suite("Path parts")
struct PathPartsTests {
    @Test(
        "directory and file name of a path, as text",
        arguments: [
            ("processed/items.csv", "processed", "items.csv"), ("./processed//items.csv", "processed", "items.csv"),
            ("items.csv", ".", "items.csv"), ("/items.csv", "/", "items.csv"), ("/a/./b/c.csv", "/a/b", "c.csv"),
        ])
    func parts(_ path: String, _ directory: String, _ file: String) {
        #expect(PathParts.directory(of: path) == directory)
        #expect(PathParts.fileName(of: path) == file)
    }
}
