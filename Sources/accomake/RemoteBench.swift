import Dispatch
import Foundation
import Glibc
import Graph
import Tasks

/// `accomake bench remote [STUDY] [-j N] [--json]` (default: the camready study; run from the
/// repository, it starts nginx with scripts/nginx-cache): each phase its own `accomake run`
/// process on a fresh local cache —
///
/// - cold without a remote, then cold uploading to an empty nginx cache (upload overhead, target
///   ≤ 10 % of the cold time), with the CPU seconds of the run and of nginx, which here shares the
///   two cores with the run (a team's cache server would not);
/// - a teammate on an empty local cache: warm through the study shortcut (target ≤ 1 s) and
///   walking the whole graph with every node from the remote (target ≤ 60 s), with the requests and
///   bytes nginx served (its access log);
/// - sharding: 2 shards with `-j 1` at once against a fresh remote, then the merge, against the
///   cold `-j 2` run: the shards' CPU seconds (target ≤ 1.1 × the single run's) and wall time
///   (target within 15 %); the duplicate work is the shards' computed nodes beyond the single run's.
enum RemoteBench {
    struct Phase {
        var seconds: Double
        var cpu: Double
        var executed: Int
    }

    /// Requests and bytes nginx logged (`method status request_length body_bytes_sent` lines).
    struct Traffic {
        var requests = 0
        var bytesIn = 0
        var bytesOut = 0

        init(log path: String) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count == 4, let up = Int(f[2]), let down = Int(f[3]) else { continue }
                requests += 1
                bytesIn += up
                bytesOut += down
            }
        }
    }

    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("bench remote"))
        guard a.positionals.count <= 1 else { throw UsageError("bench remote: give at most one study file") }
        let path = a.positionals.first ?? "projects/studies/acco-camready.json"
        _ = try StudyFormat.load(path)
        let jobs = try a.jobs(default: ProcessInfo.processInfo.activeProcessorCount)
        let script = FileManager.default.currentDirectoryPath + "/scripts/nginx-cache"
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw UsageError("bench remote: run it from the repository (it starts nginx with scripts/nginx-cache)")
        }
        let folder = NSTemporaryDirectory() + "/accomake-remote-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var servers: [String] = []
        defer { for s in servers { _ = try? ChildProcess(script, ["stop", s]).finish() } }
        func server(_ name: String) throws -> (url: String, log: String, dir: String) {
            let dir = folder + "/" + name
            let (status, out) = try ChildProcess(script, ["start", dir]).finish()
            guard status == 0 else { throw UsageError("bench remote: scripts/nginx-cache start failed") }
            servers.append(dir)
            return (String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                    dir + "/access.log", dir)
        }
        /// CPU seconds the nginx serving `dir` has used so far (master and workers): on this machine
        /// the server shares the cores with the run, so its work shows in the upload overhead.
        func serverCPU(_ dir: String) -> Double {
            guard let text = try? String(contentsOfFile: dir + "/nginx.pid", encoding: .utf8),
                  let master = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return 0 }
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            var total = 0.0
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int(name),
                      let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                // After the command name: state, ppid, …; utime and stime are the 12th and 13th.
                let f = stat[stat.index(after: close)...].split(separator: " ")
                guard f.count > 12, pid == master || Int(f[1]) == master,
                      let user = Double(f[11]), let system = Double(f[12]) else { continue }
                total += (user + system) / ticks
            }
            return total
        }
        func cpuOfChildren() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        /// Starts `accomake run` processes at once and waits for all.
        func phase(_ runs: [[String]]) throws -> Phase {
            let began = DispatchTime.now().uptimeNanoseconds, cpu = cpuOfChildren()
            let children = try runs.map {
                try ChildProcess(ChildProcess.currentExecutable, ["run", path, "--json"] + $0)
            }
            var executed = 0
            for (child, arguments) in zip(children, runs) {
                let (status, output) = child.finish()
                guard status == 0 else {
                    throw UsageError("bench remote: accomake run \(arguments.joined(separator: " ")) exited with "
                                     + "status \(status)")
                }
                let summary = (try? JSONSerialization.jsonObject(with: Data(output))) as? [String: Any] ?? [:]
                executed += summary["nodes_executed"] as? Int ?? -1
            }
            return Phase(seconds: Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9,
                         cpu: cpuOfChildren() - cpu, executed: executed)
        }
        func cache(_ name: String) -> [String] { ["--cache", folder + "/" + name] }
        let j = ["-j", String(jobs)]

        let cold = try phase([cache("cold") + j])
        let shared = try server("shared")
        let upload = try phase([cache("upload") + j + ["--remote-cache", shared.url]])
        let uploaded = Traffic(log: shared.log), uploadServerCPU = serverCPU(shared.dir)
        let shortcut = try phase([cache("teammate-shortcut") + j + ["--remote-cache", shared.url]])
        let beforeWalk = Traffic(log: shared.log)
        let walk = try phase([cache("teammate-walk") + j + ["--remote-cache", shared.url, "--no-shortcut"]])
        let walked = Traffic(log: shared.log)
        let sharding = try server("sharding")
        let shards = try phase((0..<2).map { i in
            cache("shard-\(i)") + ["-j", "1", "--shard", "\(i)/2", "--remote-cache", sharding.url]
        })
        let merge = try phase([cache("merge") + j + ["--remote-cache", sharding.url]])

        let overhead = (upload.seconds - cold.seconds) / cold.seconds
        let walkRequests = walked.requests - beforeWalk.requests, walkBytes = walked.bytesOut - beforeWalk.bytesOut
        let cpuRatio = shards.cpu / max(cold.cpu, 1e-9), wallRatio = (shards.seconds + merge.seconds) / cold.seconds
        let duplicate = shards.executed - (cold.executed - merge.executed)
        let r = BenchCommand.round6
        let fields: [(String, JSONText)] = [
            ("study", .string(path)), ("jobs", .int(jobs)),
            ("cold_seconds", .number(r(cold.seconds))), ("cold_cpu_seconds", .number(r(cold.cpu))),
            ("cold_nodes_executed", .int(cold.executed)),
            ("cold_with_upload_seconds", .number(r(upload.seconds))), ("upload_overhead", .number(r(overhead))),
            ("cold_with_upload_cpu_seconds", .number(r(upload.cpu))),
            ("upload_server_cpu_seconds", .number(r(uploadServerCPU))),
            ("upload_requests", .int(uploaded.requests)), ("upload_bytes", .int(uploaded.bytesIn)),
            ("remote_warm_shortcut_seconds", .number(r(shortcut.seconds))),
            ("remote_warm_walk_seconds", .number(r(walk.seconds))),
            ("remote_warm_walk_nodes_executed", .int(walk.executed)),
            ("remote_warm_walk_requests", .int(walkRequests)), ("remote_warm_walk_bytes", .int(walkBytes)),
            ("shards", .int(2)), ("shards_wall_seconds", .number(r(shards.seconds))),
            ("shards_cpu_seconds", .number(r(shards.cpu))), ("shards_nodes_executed", .int(shards.executed)),
            ("merge_seconds", .number(r(merge.seconds))), ("merge_nodes_executed", .int(merge.executed)),
            ("duplicate_nodes", .int(duplicate)), ("shards_cpu_ratio", .number(r(cpuRatio))),
            ("shards_wall_ratio", .number(r(wallRatio))),
            ("target_upload_overhead", .number(0.1)), ("target_shortcut_seconds", .number(1)),
            ("target_walk_seconds", .number(60)), ("target_shards_cpu_ratio", .number(1.1)),
            ("target_shards_wall_ratio", .number(1.15)),
        ]
        if a.flag("json") {
            print(JSONText.object(fields).rendered())
            return 0
        }
        let pct = { (x: Double) in BenchCommand.fmt(x * 100) + " %" }
        print("remote cache benchmark: \(path), -j \(jobs), nginx on loopback")
        print("  cold, local only            \(BenchCommand.ms(cold.seconds)), \(cold.executed) nodes computed")
        print("  cold, uploading             \(BenchCommand.ms(upload.seconds)): overhead \(pct(overhead)) (target ≤ "
              + "10 %), \(uploaded.requests) requests, \(BenchCommand.fmt(Double(uploaded.bytesIn) / 1e6)) MB up")
        print("    CPU: the run \(BenchCommand.fmt(upload.cpu)) s (\(BenchCommand.fmt(cold.cpu)) s without a remote), "
              + "the loopback nginx \(BenchCommand.fmt(uploadServerCPU)) s on the same cores")
        print("  teammate, empty local cache, shortcut   \(BenchCommand.ms(shortcut.seconds)) (target ≤ 1 s)")
        print("  teammate, empty local cache, whole walk \(BenchCommand.ms(walk.seconds)) (target ≤ 60 s), "
              + "\(walk.executed) computed, \(walkRequests) requests, "
              + "\(BenchCommand.fmt(Double(walkBytes) / 1e6)) MB down")
        print("  2 shards × -j 1 at once     \(BenchCommand.ms(shards.seconds)) wall, "
              + "\(BenchCommand.fmt(shards.cpu)) CPU s (\(BenchCommand.fmt(cpuRatio))× the -j \(jobs) run's "
              + "\(BenchCommand.fmt(cold.cpu)); target ≤ 1.1×), \(shards.executed) nodes, "
              + "\(duplicate) computed twice")
        print("  merge                       \(BenchCommand.ms(merge.seconds)), \(merge.executed) computed; shards + "
              + "merge wall \(BenchCommand.fmt(wallRatio))× the single run's (target ≤ 1.15×)")
        return 0
    }
}
