import Foundation
import PixelImage

extension ImagePreprocessor {
    /// Reads a Hugging Face `preprocessor_config.json` (`size` as `{shortest_edge}` / `{height, width}` /
    /// int, `resample` 2 = bilinear / 3 = bicubic, `do_center_crop` + `crop_size`, `rescale_factor`,
    /// `image_mean`, `image_std`, `do_resize`, `do_rescale`, `do_normalize`); missing keys keep
    /// `defaults`' values.
    /// - Throws: `EncoderError.malformedFile` when the file is not a JSON object.
    public static func load(contentsOf path: String, defaults: ImagePreprocessor) throws -> ImagePreprocessor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EncoderError.missingFile(path: path, what: "preprocessor config")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw EncoderError.malformedFile(path: path, reason: "not a JSON object")
        }
        var result = defaults
        func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        func numbers(_ any: Any?) -> [Double]? {
            if let list = any as? [Any] { return list.compactMap { number($0) } }
            if let single = number(any) { return [single, single, single] }
            return nil
        }
        if let size = root["size"] as? [String: Any] {
            if let edge = size["shortest_edge"] as? Int {
                result.resize = .shortestEdge(edge)
            } else if let h = size["height"] as? Int, let w = size["width"] as? Int {
                result.resize = .exact(width: w, height: h)
            }
        } else if let edge = root["size"] as? Int {
            result.resize = .shortestEdge(edge)
        }
        if root["do_resize"] as? Bool == false { result.resize = .none }
        switch root["resample"] as? Int {
        case 2: result.filter = .bilinear
        case 3: result.filter = .bicubic
        case 4: result.filter = .box
        default: break
        }
        if root["do_center_crop"] as? Bool == false {
            result.cropWidth = nil
            result.cropHeight = nil
        } else if let crop = root["crop_size"] as? [String: Any], let h = crop["height"] as? Int,
            let w = crop["width"] as? Int
        {
            result.cropWidth = w
            result.cropHeight = h
        } else if let crop = root["crop_size"] as? Int {
            result.cropWidth = crop
            result.cropHeight = crop
        }
        if let factor = number(root["rescale_factor"]) { result.rescale = factor }
        if root["do_rescale"] as? Bool == false { result.rescale = 1 }
        if let mean = numbers(root["image_mean"]), mean.count == 3 { result.mean = mean }
        if let std = numbers(root["image_std"]), std.count == 3, !std.contains(0) { result.std = std }
        if root["do_normalize"] as? Bool == false {
            result.mean = [0, 0, 0]
            result.std = [1, 1, 1]
        }
        return result
    }
}
