import Foundation
import XCTest

/// `accomake slurm`: the scripts it writes (scripts/check-slurm, run by CI, submits them to a real
/// single-node Slurm cluster and checks the merged answer).
final class SlurmCommandTests: CommandLineTestCase {
    func testScriptsForAJobArrayAndItsMerge() throws {
        let study = try writeStudy("sweep.json", tileY: [16])
        let out = scratch.appendingPathComponent("jobs").path
        let cache = scratch.appendingPathComponent("shared cache").path
        let made = try run(["slurm", study, "--shards", "3", "--out", out, "--cache", cache,
                            "--remote-cache", "http://cache.lab:8080/accomake",
                            "--sbatch", "--partition=cpu --time=1:00:00"])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(made.stdout, "slurm: wrote \(out)/shards.sbatch, \(out)/merge.sbatch, \(out)/submit.sh "
                           + "(3 shards of 1 workload)\n")
        let shards = try String(contentsOfFile: out + "/shards.sbatch", encoding: .utf8)
        let binary = Self.binary.standardizedFileURL.path
        for line in ["#SBATCH --array=0-2", "#SBATCH --output=\(out)/shard-%a.log", "#SBATCH --partition=cpu",
                     "#SBATCH --time=1:00:00",
                     "exec \(binary) run \(study) --shard \"$SLURM_ARRAY_TASK_ID/3\" \\",
                     "    -j \"${SLURM_CPUS_PER_TASK:-1}\" --cache '\(cache)' --remote-cache "
                         + "http://cache.lab:8080/accomake"] {
            XCTAssertTrue(shards.components(separatedBy: "\n").contains(line), "\(line)\n\(shards)")
        }
        let merge = try String(contentsOfFile: out + "/merge.sbatch", encoding: .utf8)
        XCTAssertTrue(merge.contains("exec \(binary) report \(study) --out \(out)/report \\"), merge)
        let submit = try String(contentsOfFile: out + "/submit.sh", encoding: .utf8)
        XCTAssertTrue(submit.contains("sbatch --parsable --dependency=afterok:${array%%;*} \(out)/merge.sbatch"),
                      submit)
        let attributes = try FileManager.default.attributesOfItem(atPath: out + "/shards.sbatch")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o755)
    }

    func testKubernetesIndexedJob() throws {
        let study = try writeStudy("sweep.json", tileY: [16])
        let out = scratch.appendingPathComponent("k8s").path
        let made = try run(["slurm", study, "--shards", "4", "--out", out, "--kubernetes",
                            "--remote-cache", "http://cache:8080"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let job = try String(contentsOfFile: out + "/shards-job.yaml", encoding: .utf8)
        XCTAssertTrue(job.contains("fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']"))
        for line in ["  completions: 4", "  parallelism: 4", "  completionMode: Indexed"] {
            XCTAssertTrue(job.components(separatedBy: "\n").contains(line), "\(line)\n\(job)")
        }
        XCTAssertTrue(job.contains("\"--shard\", \"$(JOB_COMPLETION_INDEX)/4\", \"--remote-cache\", "
                                   + "\"http://cache:8080\""), job)
        let submit = try run(["slurm", study, "--shards", "4", "--out", out, "--kubernetes", "--submit"])
        XCTAssertEqual(submit.status, 2)
        XCTAssertTrue(submit.stderr.contains("kubectl apply -f"), submit.stderr)
    }

    func testMistakes() throws {
        let study = try writeStudy("sweep.json", tileY: [16])
        let missing = try run(["slurm", study])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "accomake: slurm: give --shards N (1 to 10000), the number of array tasks, "
                           + "e.g. --shards 8\n")
        let tls = try run(["slurm", study, "--shards", "2", "--out", scratch.appendingPathComponent("x").path,
                           "--remote-cache", "https://cache"])
        XCTAssertEqual(tls.status, 2)
        XCTAssertTrue(tls.stderr.contains("plain HTTP only"), tls.stderr)
        let local = try run(["slurm", study, "--shards", "2", "--out", scratch.appendingPathComponent("y").path])
        XCTAssertEqual(local.status, 0)
        XCTAssertTrue(local.stderr.contains("no --remote-cache or --cache given"), local.stderr)
    }
}
