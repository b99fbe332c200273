import Foundation
import Graph
import Tasks

/// `accomake slurm STUDY --shards N`: writes the batch scripts that split a study over a cluster —
/// a Slurm job array of N `run --shard` tasks and a merge job that runs after all of them succeed
/// (`--dependency=afterok`) and writes the report — and with `--submit` submits both with `sbatch`.
/// `--kubernetes` writes an Indexed Job instead, for clusters without Slurm. The shards meet in a
/// shared cache: the remote cache (`--remote-cache`, recommended), or `--cache` on a file system
/// every node mounts.
enum SlurmCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("slurm"))
        let path = try RunCommand.studyPath(a, command: "slurm")
        let study = try StudyFormat.load(path)  // refuse a broken study now, not on the cluster
        guard let text = a.value("shards"), let shards = Int(text), shards >= 1, shards <= 10_000 else {
            throw UsageError("slurm: give --shards N (1 to 10000), the number of array tasks, e.g. --shards 8")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let out = absolute(a.value("out") ?? "slurm-\(name)")
        var shared: [String] = []
        if let cache = a.value("cache") { shared += ["--cache", absolute(cache)] }
        let remote = a.value("remote-cache") ?? ProcessInfo.processInfo.environment["ACCOMAKE_REMOTE_CACHE"]
        if let remote, !remote.isEmpty {
            _ = try RemoteLocation.endpoint(remote, source: a.value("remote-cache") != nil ? "--remote-cache"
                                                : "ACCOMAKE_REMOTE_CACHE")
            shared += ["--remote-cache", remote]
        }
        let scripts = BatchScripts(study: absolute(path), name: name, shards: shards, folder: out,
                                   executable: ChildProcess.currentExecutable, shared: shared,
                                   sbatch: a.value("sbatch").map { $0.split(separator: " ").map(String.init) } ?? [])
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [String] = []
        for (file, text, executable) in a.flag("kubernetes") ? scripts.kubernetes() : scripts.slurm() {
            let target = out + "/" + file
            try Data(text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target) }
            written.append(target)
        }
        if shared.isEmpty {
            RemoteLocation.warn("no --remote-cache or --cache given: each task uses its node's own default cache, so "
                                + "the merge finds only what ran on its node; give a remote cache, or a --cache every "
                                + "node mounts")
        }
        print("slurm: wrote " + written.joined(separator: ", ") + " (\(TextColumns.count(shards, "shard")) of "
              + "\(TextColumns.count(study.workloads.count, "workload")))")
        guard a.flag("submit") else { return 0 }
        guard !a.flag("kubernetes") else {
            throw UsageError("slurm: --submit submits to Slurm; apply a Kubernetes manifest with kubectl apply -f")
        }
        let array = try sbatch(["--parsable", out + "/shards.sbatch"])
        let merge = try sbatch(["--parsable", "--dependency=afterok:\(array)", out + "/merge.sbatch"])
        print("slurm: submitted the shards as job \(array) and the merge as job \(merge); the report will be in "
              + "\(out)/report")
        return 0
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// Runs `sbatch` and returns the job id it prints (`--parsable`: `id[;cluster]`).
    static func sbatch(_ arguments: [String]) throws -> String {
        guard let program = ["/usr/bin/sbatch", "/usr/local/bin/sbatch"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            throw UsageError("slurm --submit: sbatch is not installed here; submit \(arguments.last ?? "") from a "
                             + "login node of the cluster")
        }
        let (status, output) = try ChildProcess(program, arguments).finish()
        let id = String(decoding: output, as: UTF8.self).split(separator: ";").first.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw UsageError("slurm --submit: sbatch \(arguments.joined(separator: " ")) failed (status \(status))")
        }
        return id
    }
}
