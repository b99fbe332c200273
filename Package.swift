// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "accomake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accomake", targets: ["accomake"]),
    ],
    targets: [
        .target(name: "Graph", swiftSettings: strict),
        .target(name: "Cache", dependencies: ["Graph"], swiftSettings: strict),
        .target(name: "Tasks", dependencies: ["Graph", "Cache"], swiftSettings: strict),
        .executableTarget(name: "accomake", dependencies: ["Graph", "Cache", "Tasks"], swiftSettings: strict),
        .testTarget(name: "GraphTests", dependencies: ["Graph"], swiftSettings: strict),
        .testTarget(name: "CacheTests", dependencies: ["Cache", "Graph"], swiftSettings: strict),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Graph"], exclude: ["Reference"], swiftSettings: strict),
        // Runs the built binary; the dependency makes SwiftPM build it first.
        // Also Tasks and Graph: the input fuzzer parses and mutates the formats with them; Cache:
        // the deep-verify test forges an entry.
        .testTarget(name: "accomakeTests", dependencies: ["accomake", "Tasks", "Graph", "Cache"], swiftSettings: strict),
    ]
)
