import Foundation
import Tasks

/// accomake: entry point. Subcommands live in their own files; this only dispatches and turns
/// errors into one line on stderr.
let usage = """
    usage: accomake <command> [options]

    commands:
      run STUDY [-j N] [--json] [--no-shortcut] [--verify] [--watch]
                                                           run a study (docs/formats.md): best schedule per
                                                           accelerator × workload for each allocation objective;
                                                           --verify recomputes every node and compares with the cache;
                                                           --watch reruns on every save of an input file and prints
                                                           how each best schedule moved (Ctrl-C stops)
      report STUDY [--out DIR]                             results.json, schedules.csv and report.html of a study
      status STUDY [-j N] [--json]                         exactly what a run would compute (a dry run),
                                                           and which input changed
      explain STUDY [NODE]                                 what the last run recomputed and why
      hardware FILE [--mapping F] [--json]                  the accelerator as read (any form): array, memories, ports,
                                                           each operand's chain; with --mapping, its entries checked
      workload FILE [--json]                               the network as read: per node its loops, strides,
                                                           dilations, precisions and producers
      layer --hardware F --workload F --mapping F --layer ID [--objective energy|latency|edp] [--lpf N] [--json]
                                                           best temporal mapping of one layer (cached)
      stack --hardware F --workload F --mapping F --tile XxY --mode recompute|h-cached|fully-cached
            [--objective energy|latency] [--lpf N] [--cuts A,B] [-j N] [--json] [--verify]
                                                           depth-first evaluation of the network's trunks (cached)
      footprint --hardware F --workload F --mapping F --tile XxY [--max-cuts N] [--cuts A,B]
            [--initial-dilation D] [--frames N] [--json]
                                                           ACCO cache footprints per fusion range
      trunk --hardware F --workload F --mapping F --tile XxY [--mode M] [--objective energy|latency]
            [--max-cuts N] [--cuts A,B] [--range A,B] [--lpf N] [--initial-dilation D] [--frames N]
            [-j N] [--json] [--verify]                     ACCO Step 1 + 2 per fusion range: readings and footprints
      bench engine --nodes N [--lanes L] [-j N] [--json]   engine benchmark (fresh cache, separate processes)
      bench layer [--lpf N] [--objective O] [--json]       LOMA search speed on the golden layer
      bench stack|trunk [--json]                           depth-first stack / ACCO trunk speed (cold, warm)
      bench study [STUDY] [--json]                         a study cold, warm and after one hardware tweak
                                                           (default projects/studies/acco-camready.json);
                                                           a sweep's variants also alone: shared fraction
      bench parse [--mb N] [--json]                        memory an input file costs to read, × its size
      clean                                                delete the cache (every result; the next run recomputes)
      cache stats|gc|verify [--cache DIR] [--json]         inspect, trim or check the cache
            gc takes --max-size SIZE (e.g. 10G) and --max-age AGE (e.g. 30d)
            verify --deep STUDY… [--sample PERCENT] [-j N]  also recompute the studies' cached nodes (all or a
                                                           sample chosen by key) and evict any that differs

    The cache is --cache DIR, else $ACCOMAKE_CACHE, else $XDG_CACHE_HOME/accomake, else ~/.cache/accomake. It is
    trimmed automatically (daily, or at once when over the limit): ACCOMAKE_CACHE_MAX_SIZE (default 10G),
    ACCOMAKE_CACHE_MAX_AGE (default 30d), ACCOMAKE_CACHE_GC=off to turn it off.
    """

/// The usage lines of one command (its entry and continuation lines), or all of them.
func usage(of command: String) -> String {
    var lines: [Substring] = [], inEntry = false
    for line in usage.split(separator: "\n", omittingEmptySubsequences: false) {
        let indent = line.prefix { $0 == " " }.count
        if indent == 2 { inEntry = line.dropFirst(2).hasPrefix(command + " ") || line.dropFirst(2) == command }
        if inEntry && indent >= 2 { lines.append(line) }
    }
    return lines.isEmpty ? "" : "usage: accomake \(command) [options]\n\n" + lines.joined(separator: "\n")
}

func main() -> Int32 {
    let args = CommandLine.arguments.dropFirst()
    if let command = args.first, args.contains(where: { $0 == "--help" || $0 == "-h" }),
        case let text = usage(of: command), !text.isEmpty {
        print(text)  // `accomake COMMAND --help`: that command's usage
        return 0
    }
    do {
        switch args.first {
        case "bench": return try BenchCommand.run(args.dropFirst())
        case "cache": return try CacheCommand.run(args.dropFirst())
        case "layer": return try LayerCommand.run(args.dropFirst())
        case "stack": return try StackCommand.run(args.dropFirst())
        case "footprint": return try FootprintCommand.run(args.dropFirst())
        case "hardware": return try HardwareCommand.run(args.dropFirst())
        case "workload": return try WorkloadCommand.run(args.dropFirst())
        case "trunk": return try TrunkCommand.run(args.dropFirst())
        case "run": return try RunCommand.run(args.dropFirst())
        case "report": return try ReportCommand.run(args.dropFirst())
        case "status": return try StatusCommand.status(args.dropFirst())
        case "explain": return try StatusCommand.explain(args.dropFirst())
        case "clean": return try CleanCommand.run(args.dropFirst())
        case "--version", "version": print("accomake 0.1.0"); return 0
        case "--help", "-h", "help", nil: print(usage); return args.isEmpty ? 2 : 0
        case let other?: throw UsageError("unknown command \(other); run accomake --help for the list")
        }
    } catch {
        let (line, status) = oneLine(error)
        FileHandle.standardError.write(Data("accomake: \(line)\n".utf8))
        return status
    }
}

/// An error as the one line accomake prints for it (without the `accomake: ` prefix) and the
/// exit status it ends a command with: 2 for a mistake in the input or the command line.
func oneLine(_ error: any Error) -> (line: String, status: Int32) {
    switch error {
    case let error as InputError: (error.description, 2)
    case let error as UsageError: (error.description, 2)
    case let error as VerificationFailure: (error.description, 1)
    default: ("error: \(error)", 1)
    }
}

// Past a file-size limit (`ulimit -f`), a write fails with EFBIG instead of killing the process:
// a cache write that fails is a warning, never the end of a run.
signal(SIGXFSZ, SIG_IGN)
exit(main())
