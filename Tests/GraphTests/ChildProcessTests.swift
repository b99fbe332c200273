import Glibc
import Graph
import XCTest

/// `ChildProcess`: exit statuses as the shell gives them, and `hasExited` seeing a child end
/// without taking its status away from `finish`.
final class ChildProcessTests: XCTestCase {
    /// Polls `hasExited` (an event, bounded at 30 s), never a fixed sleep.
    func waitForExit(_ child: ChildProcess) -> Bool {
        for _ in 0..<30_000 where !child.hasExited { usleep(1_000) }
        return child.hasExited
    }

    func testExitStatusIsStillReadAfterHasExitedSawTheEnd() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "echo done; exit 3"])
        XCTAssertTrue(waitForExit(child))
        let (status, output) = child.finish()
        XCTAssertEqual(status, 3, "not reaped by hasExited")
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "done\n")
    }

    func testAKilledChildIsSeenToEndWith128PlusTheSignal() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "exec sleep 30"])
        XCTAssertFalse(child.hasExited, "a 30 s sleep is still running")
        child.kill(SIGKILL)
        XCTAssertTrue(waitForExit(child))
        XCTAssertEqual(child.finish().status, 128 + SIGKILL)
    }
}
