/// The benchmark commands' help (`CommandHelp`): each prints figures and their ratios to the
/// README's targets; run them on release builds.
extension CommandHelp {
    static let benchmarks: [CommandHelp] = [
        CommandHelp(name: "bench engine", group: .benchmarks,
                    summary: "The engine on a synthetic graph (engine-probe, built beside accomake): cold build, "
                        + "no-op rerun, overhead per executed node, restore cost per cached node.",
                    options: [O(name: "nodes", value: "N", meaning: "Nodes of the synthetic graph.", fallback: "10000",
                                example: "--nodes 100000"),
                              O(name: "lanes", value: "L", meaning: "Independent chains in it.", fallback: "64",
                                example: "--lanes 8"), jobs, json],
                    examples: ["accomake bench engine --nodes 100000"]),
        CommandHelp(name: "bench layer", group: .benchmarks,
                    summary: "LOMA search speed on the golden layer, with the plain enumeration for the ratio.",
                    options: [lpf, objective("energy|latency|edp"),
                              O(name: "repeat", value: "N", meaning: "Timed repetitions (the best is reported).",
                                fallback: "5", example: "--repeat 20"),
                              O(name: "hardware", value: "FILE", meaning: "Another layer's hardware.",
                                fallback: "projects/examples/golden-layer/hardware.json", example: "--hardware h.json"),
                              O(name: "workload", value: "FILE", meaning: "Another layer's workload.",
                                fallback: "projects/examples/golden-layer/workload.json", example: "--workload w.json"),
                              O(name: "mapping", value: "FILE", meaning: "Another layer's mapping.",
                                fallback: "projects/examples/golden-layer/mapping.json", example: "--mapping m.json"),
                              O(name: "layer", value: "ID", meaning: "The layer to search.", fallback: "the first",
                                example: "--layer 2"),
                              O(name: "no-plain", meaning: "Skip the plain enumeration (and the ratio)."), json],
                    examples: ["accomake bench layer --lpf 8"]),
        CommandHelp(name: "bench stack", group: .benchmarks,
                    summary: "Depth-first speed: the DeFiNES 3-layer stack and the FSRCNN case study, cold and warm.",
                    options: [lpf, O(name: "schedules", value: "N", meaning: "Only the first N FSRCNN schedules.",
                                     fallback: "all 108", example: "--schedules 12"),
                              O(name: "skip-fsrcnn", meaning: "Only the 3-layer stack."), jobs, json],
                    examples: ["accomake bench stack"]),
        CommandHelp(name: "bench trunk", group: .benchmarks,
                    summary: "ACCO Steps 1-2 on seldnet_oxoy_M and the Meta prototype, all 36 ranges: cold, warm, "
                        + "nodes, peak memory.",
                    options: [O(name: "tile", value: "XxY", meaning: "The output tile.", fallback: "2x1",
                                example: "--tile 4x4"), jobs, json],
                    examples: ["accomake bench trunk"]),
        CommandHelp(name: "bench study", group: .benchmarks, operands: "[STUDY]",
                    summary: "A study (default projects/studies/acco-camready.json) cold, warm, warm without the "
                        + "shortcut, with the budget halved and after one hardware tweak, each its own process; a "
                        + "sweep's variants also alone (shared fraction).",
                    options: [jobs, json],
                    examples: ["accomake bench study projects/studies/sram-sweep.json"]),
        CommandHelp(name: "bench remote", group: .benchmarks, operands: "[STUDY]",
                    summary: "A study (default the camready one) cold with and without uploading to an nginx remote "
                        + "cache, then from the remote on an empty local cache (shortcut, whole walk), and as 2 "
                        + "shards plus the merge; run from the repository (it starts nginx).",
                    options: [jobs, json],
                    examples: ["accomake bench remote projects/studies/quickstart.json"]),
        CommandHelp(name: "bench parse", group: .benchmarks,
                    summary: "The peak memory reading a large input file adds, as a multiple of its size.",
                    options: [O(name: "mb", value: "N", meaning: "Size of the generated files in MiB (1-16).",
                                fallback: "15", example: "--mb 4"),
                              O(name: "file", value: "FILE", meaning: "Measure this file instead.", fallback: "none",
                                example: "--file big.json"),
                              O(name: "kind", value: "KIND", meaning: "What --file is: workload, hardware or mapping.",
                                fallback: "workload", example: "--kind hardware"), json],
                    examples: ["accomake bench parse"]),
        CommandHelp(name: "bench read", group: .benchmarks, operands: "[FILE…]",
                    summary: "How long accomake workload (a model) or accomake hardware (an accelerator) takes on a "
                        + "file, start-up included, against the 50 ms target.",
                    options: [O(name: "runs", value: "N", meaning: "Runs per file (the median is reported).",
                                fallback: "21", example: "--runs 5"), json],
                    examples: ["accomake bench read projects/zigzag/resnet18.onnx"]),
    ]
}
