// swift-tools-version:6.0
//
// pixelrec — a multimodal recommender system as one native command-line tool.
//
// Layers (lower never imports higher):
//   C<Lib>            system libraries (OpenBLAS, LAPACKE, TurboJPEG, libpng, libyaml)
//   PixelCore         errors, progress reporting, atomic files, terminal
//   PixelCluster      the ranks of an MPI run (MPI loaded at run time by CPixelMPI): collectives, failures
//   PixelArguments    our own argument parser (split → match → decode → validate)
//   PixelConfig       YAML (libyaml) into typed configuration
//   PixelTensor       Float32 tensors, kernels, tape-based autograd
//   PixelNN           layers and losses
//   PixelOptim        optimizers and learning-rate schedulers
//   PixelImage        JPEG/PNG decode and encode; charts drawn to PNG (training curves, eval bars)
//   PixelData         CSV, interaction tables, preprocess, split, synth, datasets
//   PixelEval         full-ranking evaluation, metrics, baselines, scorers, recommendation lists
//   PixelONNX         our ONNX interpreter (protobuf reader, graph fusion, kernels)
//   PixelEncoders     encoder registry, tokenizers, feature stores, trainable encoder tops
//   PixelModels       the multimodal model, sequence user encoder, training, checkpoints
//   PixelSession      a trained model, loaded: feature stores → content, item vectors, seen items, scorers
//   PixelServe        `pixelrec serve`: JSON over HTTP on a ModelSession (Hummingbird, swift-log, swift-metrics,
//                     swift-prometheus: the only target with package dependencies)
//   PixelRecCLI       the subcommands (library, so they are testable)
//   pixelrec          the executable: parses arguments, calls PixelRecCLI
//   PixelBench        `make bench`: our side of every benchmark row
import PackageDescription

let package = Package(
    name: "pixelrec",
    products: [
        .executable(name: "pixelrec", targets: ["pixelrec"]),
        // The library layers, for Swift packages that build on pixelrec (Examples/swift-library).
        .library(name: "PixelCore", targets: ["PixelCore"]),
        .library(name: "PixelConfig", targets: ["PixelConfig"]),
        .library(name: "PixelTensor", targets: ["PixelTensor"]),
        .library(name: "PixelNN", targets: ["PixelNN"]),
        .library(name: "PixelOptim", targets: ["PixelOptim"]),
        .library(name: "PixelImage", targets: ["PixelImage"]),
        .library(name: "PixelData", targets: ["PixelData"]),
        .library(name: "PixelEval", targets: ["PixelEval"]),
        .library(name: "PixelONNX", targets: ["PixelONNX"]),
        .library(name: "PixelEncoders", targets: ["PixelEncoders"]),
        .library(name: "PixelModels", targets: ["PixelModels"]),
    ],
    // Only PixelServe uses these (the library products stay free of them).
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: C libraries (Debian packages)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", providers: [.apt(["libyaml-dev"])]),

        // MARK: Library layers
        .target(name: "PixelCore"),
        .target(name: "PixelArguments"),
        // MPI is optional at build and run time: the shim dlopens Open MPI's libmpi.so.40 (no headers needed).
        .target(name: "CPixelMPI", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "PixelCluster", dependencies: ["CPixelMPI", "PixelCore"]),
        .target(name: "PixelConfig", dependencies: ["CYAML", "PixelCore"]),
        .target(name: "PixelTensor", dependencies: ["CBLAS", "PixelCore", "CPixelKernels"]),
        .target(name: "PixelNN", dependencies: ["PixelTensor"]),
        // The Adam update's loop is C (CPixelKernels): a vector square root without errno semantics from
        // source alone, so no target needs an unsafe flag and the libraries can be package dependencies.
        // So are the ONNX interpreter's dense kernels, compiled per instruction set and chosen at run time
        // (gemm.c): Swift SIMD code is compiled for one target, and without -target-cpu its fused
        // multiply-adds become a libm call per lane.
        .target(name: "CPixelKernels"),
        .target(name: "PixelOptim", dependencies: ["PixelTensor", "PixelNN", "CPixelKernels"]),
        .target(name: "PixelImage", dependencies: ["CTurboJPEG", "CPNG", "PixelCore"]),
        .target(name: "PixelData", dependencies: ["PixelCore", "PixelConfig", "PixelImage"]),
        .target(name: "PixelEval", dependencies: ["PixelCore", "PixelConfig", "PixelData", "CBLAS"]),
        .target(name: "PixelONNX", dependencies: ["PixelTensor", "PixelCore", "CBLAS", "CPixelKernels"]),
        .target(
            name: "PixelEncoders", dependencies: ["PixelCore", "PixelImage", "PixelTensor", "PixelNN", "PixelONNX"]),
        .target(
            name: "PixelModels",
            dependencies: [
                "PixelCore", "PixelConfig", "PixelTensor", "PixelNN", "PixelOptim", "PixelData", "PixelEncoders",
                "PixelEval",
                "PixelImage", "PixelCluster",
            ]
        ),
        .target(
            name: "PixelSession",
            dependencies: [
                "PixelCore", "PixelConfig", "PixelData", "PixelEval", "PixelImage", "PixelEncoders", "PixelModels",
            ]
        ),
        .target(
            name: "PixelServe",
            dependencies: [
                "PixelCore", "PixelConfig", "PixelData", "PixelEval", "PixelSession",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "PixelRecCLI",
            dependencies: [
                "PixelCore", "PixelArguments", "PixelConfig", "PixelTensor", "PixelNN", "PixelOptim",
                "PixelImage", "PixelData", "PixelEval", "PixelONNX", "CLAPACKE", "PixelEncoders", "PixelModels",
                "PixelCluster", "PixelSession", "PixelServe",
            ]
        ),
        .executableTarget(name: "pixelrec", dependencies: ["PixelRecCLI"]),

        // MARK: Benchmarks (`make bench`) and fuzz targets (`make fuzz`)
        // The fuzz targets build as replay tools (run inputs given as files) in a normal build and as
        // libFuzzer targets with `-D FUZZING -sanitize=fuzzer,address` (see scripts/fuzz.sh).
        .executableTarget(
            name: "PixelBench",
            dependencies: [
                "PixelCore", "PixelTensor", "PixelNN", "PixelOptim", "PixelImage", "PixelData", "PixelEval",
                "PixelONNX",
                "CBLAS", "PixelEncoders", "PixelModels", "PixelConfig",
            ]
        ),
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(
            name: "ConfigFuzz", dependencies: ["PixelConfig", "FuzzSupport"], path: "Fuzz/ConfigFuzz",
            exclude: ["Seeds"]),
        .executableTarget(
            name: "CSVFuzz", dependencies: ["PixelData", "FuzzSupport"], path: "Fuzz/CSVFuzz", exclude: ["Seeds"]),
        .executableTarget(
            name: "ImageFuzz", dependencies: ["PixelImage", "FuzzSupport"], path: "Fuzz/ImageFuzz", exclude: ["Seeds"]),
        .executableTarget(
            name: "ONNXFuzz", dependencies: ["PixelONNX", "FuzzSupport"], path: "Fuzz/ONNXFuzz",
            exclude: ["Seeds", "make_seeds.py"]),
        .executableTarget(
            name: "CheckpointFuzz",
            dependencies: ["PixelModels", "PixelOptim", "PixelConfig", "PixelData", "PixelTensor", "FuzzSupport"],
            path: "Fuzz/CheckpointFuzz", exclude: ["Seeds"]),
        .executableTarget(
            name: "FeatureStoreFuzz", dependencies: ["PixelEncoders", "PixelModels", "FuzzSupport"],
            path: "Fuzz/FeatureStoreFuzz", exclude: ["Seeds"]),

        // MARK: Tests
        .testTarget(name: "PixelCoreTests", dependencies: ["PixelCore"]),
        .testTarget(name: "PixelClusterTests", dependencies: ["PixelCluster"]),
        .testTarget(name: "PixelArgumentsTests", dependencies: ["PixelArguments"], resources: [.copy("Golden")]),
        .testTarget(name: "PixelConfigTests", dependencies: ["PixelConfig", "PixelCore"]),
        .testTarget(
            name: "PixelTensorTests", dependencies: ["PixelTensor", "PixelNN", "PixelOptim", "CPixelKernels"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "PixelDataTests", dependencies: ["PixelData", "PixelConfig"]),
        .testTarget(
            name: "PixelEvalTests", dependencies: ["PixelEval", "PixelConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PixelONNXTests", dependencies: ["PixelONNX", "CPixelKernels"]),
        .testTarget(
            name: "PixelEncodersTests", dependencies: ["PixelEncoders", "PixelNN", "PixelONNX", "PixelTensor"]),
        .testTarget(
            name: "PixelModelsTests",
            dependencies: [
                "PixelModels", "PixelConfig", "PixelData", "PixelEncoders", "PixelEval", "PixelImage", "PixelNN",
                "PixelOptim", "PixelTensor",
            ], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "PixelRecCLITests", dependencies: ["PixelRecCLI", "PixelSession"], resources: [.copy("Golden")]),
        .testTarget(
            name: "PixelServeTests",
            dependencies: [
                "PixelServe", "PixelSession", "PixelRecCLI", "PixelConfig", "PixelData", "PixelEval", "PixelModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
