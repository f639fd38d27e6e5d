import Foundation
import PixelConfig
import PixelCore
import PixelEncoders
import PixelSession

extension ModelInputs {
    /// Declares what the model's item side reads (the item table, the image folder and encoder model
    /// folders when features are encoded, the feature stores) as inputs, and the feature stores as outputs
    /// when one is missing (they are encoded then).
    static func declareItemInputs(_ config: PixelRecConfig, into paths: inout CommandPaths) {
        let processed = config.data.resolvedProcessedItemInfoPath
        let useProcessed = FileManager.default.fileExists(atPath: processed)
        paths.input(
            useProcessed ? processed : config.data.itemInfoPath,
            useProcessed ? "data.processed_item_info_path" : "data.item_info_path")
        let stores = EncoderModality.allCases.map { ItemFeatures.storePath(config, $0) }
        if stores.allSatisfy(FileManager.default.fileExists) {
            for (store, modality) in zip(stores, EncoderModality.allCases) {
                paths.input(store, "data.feature_store_path (\(modality.rawValue))")
            }
        } else {
            paths.input(config.data.imageFolder, "data.image_folder", directory: true)
            paths.input(config.model.resolvedVisionModelPath, "model.vision_model_path", directory: true)
            paths.input(config.model.resolvedLanguageModelPath, "model.language_model_path", directory: true)
            for store in stores { paths.output(store, "data.feature_store_path") }
        }
    }
}
