/// The text of the cluster scripts `accomake slurm` writes (docs/remote.md, "Clusters").
struct BatchScripts {
    let study: String
    let name: String
    let shards: Int
    let folder: String
    let executable: String
    /// `--cache` / `--remote-cache` arguments every task passes.
    let shared: [String]
    /// Extra `#SBATCH` options (`--partition=cpu`, `--time=2:00:00`).
    let sbatch: [String]

    static func quote(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "/._-:=,@+".contains($0) } ? s
            : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    var sharedArguments: String { shared.map(Self.quote).joined(separator: " ") }

    /// shards.sbatch (the array), merge.sbatch (the report after every shard succeeded) and
    /// submit.sh (both, the merge depending on the array).
    func slurm() -> [(String, String, Bool)] {
        let extra = sbatch.map { "#SBATCH \($0)\n" }.joined()
        let shardsScript = """
            #!/bin/bash
            # \(shards) shards of \(study), one per array task (accomake slurm).
            #SBATCH --job-name=accomake-\(name)
            #SBATCH --array=0-\(shards - 1)
            #SBATCH --output=\(folder)/shard-%a.log
            \(extra)set -euo pipefail
            exec \(Self.quote(executable)) run \(Self.quote(study)) --shard "$SLURM_ARRAY_TASK_ID/\(shards)" \\
                -j "${SLURM_CPUS_PER_TASK:-1}" \(sharedArguments)

            """
        let mergeScript = """
            #!/bin/bash
            # The answers of \(study) from the shards' results: only the allocations run here.
            #SBATCH --job-name=accomake-\(name)-merge
            #SBATCH --output=\(folder)/merge.log
            \(extra)set -euo pipefail
            exec \(Self.quote(executable)) report \(Self.quote(study)) --out \(Self.quote(folder + "/report")) \\
                -j "${SLURM_CPUS_PER_TASK:-1}" \(sharedArguments)

            """
        let submit = """
            #!/bin/bash
            # Submits the shards, then the merge once every shard has succeeded.
            set -euo pipefail
            array=$(sbatch --parsable \(Self.quote(folder + "/shards.sbatch")))
            merge=$(sbatch --parsable --dependency=afterok:${array%%;*} \(Self.quote(folder + "/merge.sbatch")))
            echo "shards: job ${array%%;*}, merge: job ${merge%%;*}, report: \(folder)/report"

            """
        return [("shards.sbatch", shardsScript, true), ("merge.sbatch", mergeScript, true), ("submit.sh", submit, true)]
    }

    /// An Indexed Job of `shards` completions and a merge Job (applied after the first completes).
    func kubernetes() -> [(String, String, Bool)] {
        let arguments = (["run", study, "--shard", "$(JOB_COMPLETION_INDEX)/\(shards)"] + shared)
            .map { "\"\($0)\"" }.joined(separator: ", ")
        let mergeArguments = (["report", study, "--out", folder + "/report"] + shared).map { "\"\($0)\"" }
            .joined(separator: ", ")
        // The index as an environment variable the arguments may name (`$(VAR)` expands declared ones).
        let index = """
                      env:
                        - name: JOB_COMPLETION_INDEX
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']

            """
        func job(_ suffix: String, _ extra: String, _ args: String, env: String = "") -> String {
            """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: accomake-\(name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" })\(suffix)
            spec:
            \(extra)  template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: accomake
                      image: ACCOMAKE_IMAGE  # an image with accomake and the study's files at these paths
                      command: ["\(executable)"]
                      args: [\(args)]
            \(env)
            """
        }
        let shardsJob = job("", "  completions: \(shards)\n  parallelism: \(shards)\n  completionMode: Indexed\n"
                                + "  backoffLimit: \(shards * 2)\n", arguments, env: index)
        let mergeJob = job("-merge", "  backoffLimit: 2\n", mergeArguments)
        return [("shards-job.yaml", shardsJob, false), ("merge-job.yaml", mergeJob, false)]
    }
}
