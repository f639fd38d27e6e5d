import Foundation
import PixelConfig
import PixelData

/// How configuration sections become the data pipeline's option structs (one place, so every command
/// reads a key the same way).
extension PreprocessOptions {
    /// Preprocessing options from `data.*`: text cleaning, image validation and compression, numeric columns.
    init(config data: DataConfig, itemColumns: [String]) {
        self.init()
        itemInfoFile = data.itemInfoPath
        interactionsFile = data.interactionsPath
        imagesDirectory = data.imageFolder
        text.stripHTML = data.offlineTextCleaning.removeHTML
        text.decodeEntities = data.offlineTextCleaning.removeHTML
        text.normalizeNFKC = data.offlineTextCleaning.normalizeUnicode
        text.lowercase = data.offlineTextCleaning.toLowercase
        // The PixelRec text columns that the item file has (ml100k has no `tag` in some exports).
        textColumns = ["title", "tag", "description"].filter(itemColumns.contains)
        numericColumns = data.numericalFeaturesCols
        scaler = data.numericalNormalizationMethod
        allowedExtensions = data.offlineImageValidation.allowedExtensions.map {
            $0.hasPrefix(".") ? String($0.dropFirst()).lowercased() : $0.lowercased()
        }
        minImageWidth = data.offlineImageValidation.minWidth
        minImageHeight = data.offlineImageValidation.minHeight
        checkCorrupted = data.offlineImageValidation.checkCorrupted
        let compression = data.offlineImageCompression
        if compression.enabled {
            compressAboveKB = compression.compressIfKBLargerThan
            targetQuality = compression.targetQuality
            maxLongestEdge = compression.resizeTargetLongestEdge
            let above = compression.resizeIfPixelsLargerThan
            resizeAbove = above.count == 2 ? ImageBounds(width: above[0], height: above[1]) : nil
        } else {
            compressAboveKB = nil
        }
    }
}

extension SplitOptions {
    /// Split options from `data.splitting.*`.
    init(config splitting: SplittingConfig) {
        self.init(
            strategy: splitting.strategy,
            trainRatio: splitting.trainFinalRatio, valRatio: splitting.valFinalRatio,
            testRatio: splitting.testFinalRatio,
            temporalScope: splitting.temporalScope,
            minInteractionsPerUser: splitting.minInteractionsPerUser,
            minInteractionsPerItem: splitting.minInteractionsPerItem,
            holdoutMinInteractions: splitting.holdoutMinInteractions,
            sampleN: splitting.sampleN > 0 ? splitting.sampleN : nil, sampleMode: splitting.sampleUnit,
            seed: UInt64(truncatingIfNeeded: splitting.randomState))
        validateNoLeakage = splitting.validateNoLeakage
    }
}
