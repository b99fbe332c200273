// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

// The engine's SHA-256 uses the x86 SHA extensions when the processor has them (checked at run
// time, Sources/Graph/SHA256+Extensions.swift); their intrinsics compile only with these features
// enabled. LLVM never emits SHA instructions on its own, and SSE4.1 is on every x86-64 processor
// made since 2008.
#if arch(x86_64)
let graph = strict + [.unsafeFlags(["-Xcc", "-msha", "-Xcc", "-msse4.1"])]
#else
let graph = strict
#endif

let package = Package(
    name: "accomake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accomake", targets: ["accomake"]),
        // The engine as a process, for the crash, interrupt and multi-process tests and `bench engine`.
        .executable(name: "engine-probe", targets: ["engine-probe"]),
    ],
    targets: [
        .target(name: "Graph", swiftSettings: graph),
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
