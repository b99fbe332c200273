import Foundation
import Tasks

/// `accomake report STUDY [--out DIR] [-j N] [--cache DIR]`: runs the study (from the cache when
/// it is up to date) and writes `results.json`, `schedules.csv` and `report.html` into DIR
/// (default `report-<study name>` in the current folder).
enum ReportCommand {
    static func run(_ args: ArraySlice<String>) throws -> Int32 {
        let a = try Arguments(args, help: .named("report"))
        let path = try RunCommand.studyPath(a, command: "report")
        guard let (view, outcome) = try RunCommand.execute(path, a, command: "report") else { return 130 }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let out = a.value("out") ?? "report-\(name)"
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw UsageError("report: cannot create the folder \(out) (\(error.localizedDescription)); "
                + "choose another with --out")
        }
        let report = view.report
        let page = report.rendered()
        // The charts as standalone SVG files beside the page, for papers.
        let files: [(String, String)] = [
            ("results.json", view.json(outcome).rendered() + "\n"),
            ("schedules.csv", report.csv()),
            ("report.html", page.html),
        ] + page.charts.map { ($0.file, $0.svg) }
        for (file, text) in files {
            let target = (out as NSString).appendingPathComponent(file)
            // Write beside, then rename: a crash never leaves half a report.
            let temporary = target + ".tmp-\(getpid())"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, target) == 0 else {
                    throw UsageError("report: cannot write \(target): \(String(cString: strerror(errno)))")
                }
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw UsageError("report: cannot write \(target) (\(error.localizedDescription))")
            }
        }
        let folder = out.hasSuffix("/") ? out : out + "/"
        print("report: wrote \(folder)report.html, results.json, schedules.csv and \(page.charts.count) charts "
              + "(.svg)")
        return 0
    }
}
