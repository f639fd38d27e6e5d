// swift-tools-version: 6.0
// A Swift package that uses pixelrec's libraries: ranks items for a user from a trained checkpoint.
import PackageDescription

let package = Package(
    name: "swift-library",
    dependencies: [.package(name: "pixelrec", path: "../..")],
    targets: [
        .executableTarget(
            name: "rank-items",
            dependencies: [
                .product(name: "PixelData", package: "pixelrec"),
                .product(name: "PixelEncoders", package: "pixelrec"),
                .product(name: "PixelEval", package: "pixelrec"),
                .product(name: "PixelModels", package: "pixelrec"),
            ])
    ]
)
