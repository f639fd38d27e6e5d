import Foundation
import PixelImage
import Testing

@testable import PixelRecCLI

@Suite("pixelrec eval --compare --chart")
struct EvalChartTests {
    /// Three baselines evaluated at k 1 and 3 on `EvalCommandTests`' tiny split.
    static func results() throws -> (paths: [String], dir: String) {
        let (train, test, dir) = try EvalCommandTests.split()
        var paths: [String] = []
        for recommender in ["popularity", "item_knn", "random"] {
            let path = dir + "/\(recommender).json"
            let r = runTool([
                "eval", "--train-data", train, "--test-data", test, "-r", recommender, "--k", "1", "3", "-o", path,
                "-q",
            ])
            #expect(r.status == 0, "\(r.error)")
            paths.append(path)
        }
        return (paths, dir)
    }

    static func isWhite(_ image: Image, _ x: Int, _ y: Int) -> Bool {
        let o = (y * image.width + x) * 3
        return image.pixels[o] == 255 && image.pixels[o + 1] == 255 && image.pixels[o + 2] == 255
    }

    static func count(_ image: Image, _ xs: Range<Int>, _ ys: Range<Int>, where match: (Int, Int) -> Bool) -> Int {
        var n = 0
        for y in ys { for x in xs where match(x, y) { n += 1 } }
        return n
    }

    @Test("the PNG decodes at the chart's size: one panel per metric, axes, tick labels, names and a bar per result")
    func chart() throws {
        let (paths, dir) = try Self.results()
        let output = dir + "/charts/compare.png"
        let result = runTool(["eval", "--compare"] + paths + ["--chart", output])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("[3]") && result.error.contains("wrote \(output)"))
        // Written atomically: only the PNG in its folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/charts") == ["compare.png"])

        let reports = try paths.map { try EvalCommand.loadReport($0) }
        let chart = EvalChart.chart(reports, paths: paths)
        #expect(chart.series == ["popularity", "item_knn", "random"])
        // The table's metrics, in its order: six families at k 1 and 3.
        #expect(chart.panels.map(\.title) == reports[0].metrics.map(\.name) && chart.panels.count == 12)
        let image = try ImageCodec.decode(contentsOf: output)
        #expect(image.width == chart.size.width && image.height == chart.size.height)
        #expect(chart.frames.count == 12 && Set(chart.frames.map(\.x)).count == 2, "two columns")

        for (p, (frame, plot)) in zip(chart.frames, chart.plotFrames).enumerated() {
            let xs = frame.x..<(frame.x + frame.width), ys = frame.y..<(frame.y + frame.height)
            let ink = Self.count(image, xs, ys) { !Self.isWhite(image, $0, $1) }
            #expect(ink > 2000, "panel \(p): \(ink) non-background pixels")
            // Title line above the plot, y tick labels left of the axis, names under it: ink in each band.
            let plotXs = plot.x..<(plot.x + plot.width), baseY = plot.y + plot.height
            let title = Self.count(image, plotXs, frame.y..<(frame.y + 24)) { !Self.isWhite(image, $0, $1) }
            let yLabels = Self.count(image, frame.x..<(plot.x - 8), plot.y..<baseY) { !Self.isWhite(image, $0, $1) }
            let names = Self.count(image, plotXs, (baseY + 8)..<(baseY + 24)) { !Self.isWhite(image, $0, $1) }
            #expect(title > 50 && yLabels > 50 && names > 100, "panel \(p): \(title) \(yLabels) \(names)")
            // A bar in each result's colour inside the plot (random may be 0: a one-pixel bar).
            for s in 0..<3 {
                let color = ChartCanvas.palette[s]
                let bar = Self.count(image, plotXs, plot.y..<(baseY + 1)) {
                    let o = ($1 * image.width + $0) * 3
                    return image.pixels[o] == color.0 && image.pixels[o + 1] == color.1
                        && image.pixels[o + 2] == color.2
                }
                #expect(bar >= 20, "panel \(p), series \(s): \(bar) bar pixels")
            }
        }
    }

    @Test("bad inputs: one line each, nothing written")
    func badInputs() throws {
        let (paths, dir) = try Self.results()
        let withoutCompare = runTool(["eval", "--chart", dir + "/c.png"])
        #expect(withoutCompare.status == 2 && withoutCompare.errorLines.count == 1, "\(withoutCompare.error)")
        #expect(withoutCompare.error.contains("--compare"))
        let notPNG = runTool(["eval", "--compare", paths[0], "--chart", dir + "/c.jpg"])
        #expect(notPNG.status == 2 && notPNG.errorLines.count == 1 && notPNG.error.contains(".png"))
        try "{\"format\": 1}".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let badResult = runTool(["eval", "--compare", paths[0], dir + "/bad.json", "--chart", dir + "/c.png"])
        #expect(badResult.status == 1 && badResult.errorLines.count == 1 && badResult.error.contains("bad.json"))
        let underFile = runTool(["eval", "--compare", paths[0], "--chart", paths[1] + "/c.png"])
        #expect(underFile.status == 1 && underFile.errorLines.count == 1, "\(underFile.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/c.png"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/c.jpg"))
    }

    @Test("a metric one result lacks is drawn as n/a; two results of one recommender are told apart by file")
    func partial() throws {
        let (paths, dir) = try Self.results()
        let (train, test, _) = try EvalCommandTests.split()
        let other = dir + "/popularity-k1.json"
        let r = runTool([
            "eval", "--train-data", train, "--test-data", test, "-r", "popularity", "--k", "1", "-o", other, "-q",
        ])
        #expect(r.status == 0, "\(r.error)")
        let all = [paths[0], other]
        let chart = EvalChart.chart(try all.map { try EvalCommand.loadReport($0) }, paths: all)
        #expect(chart.series == ["popularity", "popularity-k1"])
        let ndcg3 = try #require(chart.panels.first { $0.title == "ndcg@3" })
        #expect(ndcg3.bars[0].value != nil && ndcg3.bars[1].value == nil)
        let image = try chart.render()
        #expect(image.width == chart.size.width && image.height == chart.size.height)
    }
}
