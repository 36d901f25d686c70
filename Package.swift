// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "PixelProbe",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "coordinator", targets: ["Coordinator"]),
    .executable(name: "worker", targets: ["Worker"]),
    .executable(name: "pixelprobe-bench", targets: ["Bench"]),
    .executable(name: "fake-vlm", targets: ["FakeVLM"]),
    .executable(name: "pixelprobe-train", targets: ["Trainer"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
  ],
  targets: [
    // One system-library target per C library; each is touched by exactly one Swift module.
    .systemLibrary(
      name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(
      name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(
      name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),

    .target(name: "Shards", dependencies: ["CZstd"]),
    .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNG"]),
    .target(name: "Refer"),
    // The game environment server's client (ops/envs/server.py): process, protocol, catalogue.
    .target(name: "Games", dependencies: ["Imaging"]),
    .target(
      name: "Model",
      dependencies: ["CBLAS", "Imaging", "Refer", .product(name: "Logging", package: "swift-log")],
      exclude: ["Native/README.md"]),
    .target(
      name: "Queue",
      dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]),
    .target(
      name: "Pipeline",
      dependencies: [
        "Shards", "Imaging", "Model", "Queue", "Refer", "Games",
        .product(name: "Logging", package: "swift-log"),
      ]),

    .target(
      name: "Training",
      dependencies: [
        "Model", "Imaging", "Shards", "Pipeline", "Queue", "Games",
        .product(name: "Logging", package: "swift-log"),
      ]),

    // Option groups and error reporting shared by the executables (argument parsing only).
    .target(
      name: "CommandSupport",
      dependencies: [
        "Queue",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "Coordinator",
      dependencies: [
        "Pipeline", "Queue", "Model", "Games", "CommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "Worker",
      dependencies: [
        "Pipeline", "Queue", "CommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // A real HTTP server speaking the chat-completions protocol, for tests and benchmarks of the
    // openai backend: it answers pixel questions from the image it receives.
    .executableTarget(
      name: "FakeVLM",
      dependencies: ["Imaging", "Model"]),
    .executableTarget(
      name: "Trainer",
      dependencies: [
        "Training", "Model", "Pipeline", "Queue", "CommandSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "Bench",
      dependencies: [
        "Pipeline", "Queue", "Shards", "Imaging", "Model", "Training", "Games",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    .testTarget(name: "ShardsTests", dependencies: ["Shards"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
    .testTarget(name: "ModelTests", dependencies: ["Model", "Imaging", "Refer"], exclude: ["Fixtures"]),
    .testTarget(name: "QueueTests", dependencies: ["Queue"]),
    .testTarget(name: "ReferTests", dependencies: ["Refer"], exclude: ["Fixtures"]),
    .testTarget(name: "GamesTests", dependencies: ["Games", "Imaging"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Imaging", "Shards"]),
    .testTarget(
      name: "PipelineTests",
      dependencies: ["Pipeline", "Queue", "Shards", "Imaging", "Model", "Refer", "Games"]),
  ],
  swiftLanguageModes: [.v6]
)

// Settings shared by every Swift target.
for target in package.targets where target.type != .system {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
  settings.append(.unsafeFlags(["-warnings-as-errors"]))
  target.swiftSettings = settings
}
