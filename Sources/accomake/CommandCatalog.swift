/// Every command's help and options (`CommandHelp`), in the order `accomake --help` lists them.
extension CommandHelp {
    typealias O = Option

    static let cache = O(name: "cache", value: "DIR", meaning: "The cache folder.",
                         fallback: "$ACCOMAKE_CACHE, else $XDG_CACHE_HOME/accomake, else ~/.cache/accomake",
                         example: "--cache /scratch/accomake")
    /// Accepted by every command, also one that caches nothing, so a script can pass it to all.
    static let unusedCache = O(name: "cache", value: "DIR", meaning: "Accepted as on every command; this one "
                                   + "caches nothing.", fallback: "none", example: "--cache /scratch/accomake")
    /// Commands that build share results through a remote cache (docs/remote.md).
    static let remote = [
        O(name: "remote-cache", value: "URL", meaning: "A shared cache over the Bazel HTTP cache protocol (nginx "
              + "WebDAV, bazel-remote): read after the local cache misses, given every computed result.",
          fallback: "$ACCOMAKE_REMOTE_CACHE, else none", example: "--remote-cache http://cache.lab:8080/accomake"),
        O(name: "remote-cache-read-only", meaning: "Read from the remote cache but upload nothing."),
    ]
    static let jobs = O(name: "jobs", value: "N", meaning: "Nodes computed in parallel (1 to 1024).",
                        fallback: "the number of cores", example: "-j 1", short: "j")
    static let json = O(name: "json",
                        meaning: "Print one JSON object instead of text (docs/formats.md, \"Output formats\").")
    static let verify = O(name: "verify", meaning: "Recompute every node and compare it with its cached output; a "
                              + "difference names the operator and exits 1.")
    static let problem = [
        O(name: "hardware", value: "FILE", meaning: "The accelerator: accomake JSON or ZigZag 3.9 YAML.",
          required: true,
          example: "--hardware projects/hardware/meta_prototype_df.json"),
        O(name: "workload", value: "FILE", meaning: "The network: accomake JSON, ZigZag YAML or an ONNX model.",
          required: true, example: "--workload projects/workloads/seldnet_oxoy_m.json"),
        O(name: "mapping", value: "FILE", meaning: "The spatial mapping and memory-operand links that go with the "
              + "hardware.", required: true, example: "--mapping projects/mappings/meta_prototype_df.json"),
        O(name: "time-axis", value: "y|x", meaning: "ONNX models: the spatial axis that is time (y: the first, H; "
              + "x: the last, W).", fallback: "y", example: "--time-axis x"),
        O(name: "precision", value: "W=..,I=..", meaning: "ONNX models: bits of weights (W), activations (I), partial "
              + "sums (O) and stored outputs (O_final); any subset.", fallback: "W=8,I=8,O=16,O_final=8",
          example: "--precision W=4,I=4"),
    ]
    static let lpf = O(name: "lpf", value: "N", meaning: "Loop-prime-factor limit of the temporal mapping search "
                           + "(1-12; higher searches more orderings).", fallback: "6", example: "--lpf 8")
    static func objective(_ values: String) -> O {
        O(name: "objective", value: values, meaning: "What the per-layer mapping search minimises.", fallback: "energy",
          example: "--objective latency")
    }
    static let tile = O(name: "tile", value: "XxY", meaning: "The output tile, width (x) by height (y, frames).",
                        required: true, example: "--tile 8x8")
    static let mode = O(name: "mode", value: "M", meaning: "Overlap caching: recompute, h-cached or fully-cached.",
                        fallback: "fully-cached", example: "--mode h-cached")
    static let cuts = O(name: "cuts", value: "A,B", meaning: "Layer ids after which the network is always cut.",
                        fallback: "none", example: "--cuts 3,5")
    static let maxCuts = O(name: "max-cuts", value: "N", meaning: "The most cuts beyond the forced ones (ACCO's "
                               + "substackCutMax); ranges follow from it.", fallback: "2", example: "--max-cuts 1")
    static let causal = [
        O(name: "initial-dilation", value: "D", meaning: "Start every trunk from time dilation D (ranges starting "
              + "at a smaller one are skipped).", fallback: "each trunk's dilation in the whole network",
          example: "--initial-dilation 2"),
        O(name: "frames", value: "N", meaning: "The trunk output's batch (frameAmount).", fallback: "1",
          example: "--frames 4"),
    ]

    static let catalog: [CommandHelp] = [
        CommandHelp(name: "run", group: .studies, operands: "STUDY",
                    summary: "Run a study: per accelerator × workload the best schedule for each allocation "
                        + "objective, computing only what the cache does not hold (docs/formats.md, \"Study\").",
                    options: [jobs, json,
                              O(name: "no-shortcut", meaning: "Walk the whole graph, every node, even when no input "
                                  + "changed since the last complete run (no study shortcut, no closure keys)."),
                              verify,
                              O(name: "watch", meaning: "Stay running: rerun on every save of the study or a file it "
                                  + "names and print how each best schedule moved; Ctrl-C stops."),
                              O(name: "shard", value: "I/N", meaning: "Compute share I of N of the study's stack and "
                                  + "trunk nodes (balanced by estimated cost) into the cache, without answering; a "
                                  + "run without --shard on the same (remote) cache then only allocates.",
                                fallback: "the whole study", example: "--shard 0/4"), cache] + remote,
                    examples: ["accomake run projects/studies/quickstart.json",
                               "accomake run projects/studies/sram-sweep.json --watch",
                               "accomake run projects/studies/acco-camready.json --shard 1/8 "
                                   + "--remote-cache http://cache.lab:8080/accomake"]),
        CommandHelp(name: "report", group: .studies, operands: "STUDY",
                    summary: "Write results.json, schedules.csv and a self-contained report.html of a study (run "
                        + "first when needed).",
                    options: [O(name: "out", value: "DIR", meaning: "The folder to write.",
                                fallback: "report-<study name> in the current folder", example: "--out figures"),
                              jobs, O(name: "no-shortcut", meaning: "Walk the whole graph, every node, even when no "
                                  + "input changed."), cache] + remote,
                    examples: ["accomake report projects/studies/quickstart.json"]),
        CommandHelp(name: "slurm", group: .studies, operands: "STUDY",
                    summary: "Write the scripts that split a study over a cluster: a Slurm job array of `run --shard` "
                        + "tasks and a merge job that writes the report once all succeeded (docs/remote.md).",
                    options: [O(name: "shards", value: "N", meaning: "Array tasks (1 to 10000).", required: true,
                                example: "--shards 8"),
                              O(name: "out", value: "DIR", meaning: "Where the scripts, the logs and the report go.",
                                fallback: "slurm-<study name>", example: "--out /scratch/sweep"),
                              O(name: "sbatch", value: "OPTIONS", meaning: "Extra #SBATCH options, space-separated.",
                                fallback: "none", example: "--sbatch \"--partition=cpu --cpus-per-task=4\""),
                              O(name: "submit", meaning: "Submit the array and the merge (afterok) with sbatch."),
                              O(name: "kubernetes", meaning: "Write a Kubernetes Indexed Job and a merge Job "
                                  + "instead."),
                              cache, remote[0]],
                    examples: ["accomake slurm projects/studies/acco-camready.json --shards 8 "
                                   + "--remote-cache http://cache.lab:8080/accomake --submit"]),
        CommandHelp(name: "status", group: .studies, operands: "STUDY",
                    summary: "Exactly what a run would compute (a dry run against the cache), grouped by reason, "
                        + "naming each changed input value.",
                    options: [jobs, json, cache], examples: ["accomake status projects/studies/quickstart.json"]),
        CommandHelp(name: "explain", group: .studies, operands: "STUDY [NODE]",
                    summary: "What the last run computed and why; NODE (part of a node's name) lists the matching "
                        + "nodes.",
                    options: [json, cache], examples: ["accomake explain projects/studies/quickstart.json stack"]),
        CommandHelp(name: "workload", group: .inputs, operands: "FILE",
                    summary: "The network as accomake reads it (JSON, YAML or ONNX): per node its loops, strides, "
                        + "dilations, padding, precisions and producers.",
                    options: Array(problem.suffix(2)) + [json, unusedCache],
                    examples: ["accomake workload projects/zigzag/resnet18.onnx"]),
        CommandHelp(name: "hardware", group: .inputs, operands: "FILE",
                    summary: "The accelerator as accomake reads it (JSON or ZigZag YAML): array, memories, ports, "
                        + "each operand's chain, on-chip capacity and area.",
                    options: [O(name: "mapping", value: "FILE", meaning: "Also check a mapping's entries against the "
                                  + "array.", fallback: "none",
                                example: "--mapping projects/zigzag/edge_tpu_like-mapping.yaml"),
                              json, unusedCache],
                    examples: ["accomake hardware projects/zigzag/edge_tpu_like.yaml"]),
        CommandHelp(name: "layer", group: .problems,
                    summary: "The best temporal mapping of one layer (LOMA), computed once and then served from the "
                        + "cache.",
                    options: problem + [O(name: "layer", value: "ID", meaning: "The layer's id in the workload.",
                                          required: true, example: "--layer 3"),
                                        objective("energy|latency|edp"), lpf, json, cache],
                    examples: ["accomake layer --hardware projects/examples/golden-layer/hardware.json "
                                   + "--workload projects/examples/golden-layer/workload.json "
                                   + "--mapping projects/examples/golden-layer/mapping.json --layer 0"]),
        CommandHelp(name: "stack", group: .problems,
                    summary: "Depth-first evaluation of the network split at the weight-overflow (and given) cuts: "
                        + "tile types, where data lives, per-key energy and latency.",
                    options: problem + [tile, mode, objective("energy|latency"), lpf, cuts, jobs, json, verify, cache]
                        + remote,
                    examples: ["accomake stack --hardware projects/hardware/meta_prototype_df.json "
                                   + "--workload projects/workloads/fsrcnn.json "
                                   + "--mapping projects/mappings/meta_prototype_df.json --tile 8x8"]),
        CommandHelp(name: "footprint", group: .problems,
                    summary: "ACCO's cache footprints (total, warm-up and stable peak feature bits; weight bits) for "
                        + "every fusion range.",
                    options: problem + [tile, maxCuts, cuts] + causal + [json, cache],
                    examples: ["accomake footprint --hardware projects/hardware/meta_prototype_df.json "
                                   + "--workload projects/workloads/seldnet_oxoy_m.json "
                                   + "--mapping projects/mappings/meta_prototype_df.json --tile 2x16"]),
        CommandHelp(name: "trunk", group: .problems,
                    summary: "ACCO Steps 1-2 per fusion range: window, warm-up and stable energy and latency with "
                        + "off-load and reload, per key, and the footprint.",
                    options: problem + [tile, mode, objective("energy|latency"), maxCuts, cuts,
                                        O(name: "range", value: "A,B", meaning: "Only the range after layer A "
                                              + "through layer B (none for an open end).", fallback: "every range",
                                          example: "--range none,3"), lpf] + causal + [jobs, json, verify, cache]
                        + remote,
                    examples: ["accomake trunk --hardware projects/hardware/meta_prototype_df.json "
                                   + "--workload projects/workloads/seldnet_oxoy_m.json "
                                   + "--mapping projects/mappings/meta_prototype_df.json --tile 2x1"]),
        CommandHelp(name: "clean", group: .cache,
                    summary: "Delete the cache (its own files, then the folder when nothing else is in it); the next "
                        + "run computes everything.",
                    options: [cache], examples: ["accomake clean"]),
        CommandHelp(name: "cache stats", group: .cache,
                    summary: "Entries, blobs, packs, bytes, hits and misses of the cache.",
                    options: [json, cache], examples: ["accomake cache stats --json"]),
        CommandHelp(name: "cache gc", group: .cache,
                    summary: "Trim the cache to a size and an age now (it also runs by itself, daily).",
                    options: [O(name: "max-size", value: "SIZE", meaning: "Keep at most this many bytes (K, M, G, T).",
                                fallback: "$ACCOMAKE_CACHE_MAX_SIZE, else 10G", example: "--max-size 2G"),
                              O(name: "max-age", value: "AGE", meaning: "Drop what was not used for this long (s, m, "
                                  + "h, d).", fallback: "$ACCOMAKE_CACHE_MAX_AGE, else 30d", example: "--max-age 7d"),
                              json, cache],
                    examples: ["accomake cache gc --max-size 2G"]),
        CommandHelp(name: "cache verify", group: .cache, operands: "[STUDY…]",
                    summary: "Check every blob's size and SHA-256; with --deep also recompute the studies' cached "
                        + "nodes and evict any that differs.",
                    options: [O(name: "deep", meaning: "Recompute the named studies' cached nodes too."),
                              O(name: "sample", value: "PERCENT", meaning: "With --deep: recompute this share of the "
                                  + "nodes, chosen by key.", fallback: "100", example: "--sample 10"),
                              jobs, json, cache],
                    examples: ["accomake cache verify",
                               "accomake cache verify --deep projects/studies/quickstart.json"]),
    ] + benchmarks
}
