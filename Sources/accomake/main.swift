import Foundation
import Tasks

/// accomake: entry point. Subcommands live in their own files; this only dispatches and turns
/// errors into one line on stderr.
func main() -> Int32 {
    let args = CommandLine.arguments.dropFirst()
    if args.contains(where: { $0 == "--help" || $0 == "-h" }), let help = CommandHelp.find(args) {
        print(help.rendered())  // `accomake COMMAND --help`: its options, defaults and examples
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
        case "slurm": return try SlurmCommand.run(args.dropFirst())
        case "status": return try StatusCommand.status(args.dropFirst())
        case "explain": return try StatusCommand.explain(args.dropFirst())
        case "clean": return try CleanCommand.run(args.dropFirst())
        case "--version", "version": print("accomake 0.1.0"); return 0
        case "--help", "-h", "help", nil: print(CommandHelp.overview()); return args.isEmpty ? 2 : 0
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
