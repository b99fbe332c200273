// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "accomake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accomake", targets: ["accomake"]),
        // The engine as a process, for the crash, interrupt and multi-process tests and `bench engine`.
        .executable(name: "engine-probe", targets: ["engine-probe"]),
    ],
    targets: [
        .target(name: "Graph", swiftSettings: strict),
        .target(name: "Cache", dependencies: ["Graph"], swiftSettings: strict),
        .target(name: "Tasks", dependencies: ["Graph", "Cache"], swiftSettings: strict),
        .executableTarget(name: "accomake", dependencies: ["Graph", "Cache", "Tasks"], swiftSettings: strict),
        .executableTarget(name: "engine-probe", dependencies: ["Graph", "Cache"], path: "Tests/EngineProbe",
                          swiftSettings: strict),
        .testTarget(name: "GraphTests", dependencies: ["Graph"], swiftSettings: strict),
        // Starts engine-probe; the dependency makes SwiftPM build it first.
        .testTarget(name: "CacheTests", dependencies: ["Cache", "Graph", "engine-probe"], swiftSettings: strict),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Graph"], exclude: ["Reference"],
                    swiftSettings: strict),
        // Runs the built binary; the dependency makes SwiftPM build it first.
        // Also Tasks and Graph: the input fuzzer parses and mutates the formats with them; Cache:
        // the deep-verify test forges an entry.
        .testTarget(name: "accomakeTests", dependencies: ["accomake", "engine-probe", "Tasks", "Graph", "Cache"],
                    swiftSettings: strict),
    ]
)
