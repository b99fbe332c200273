@testable import Tasks
import XCTest

/// `run --shard`: longest-first balancing, deterministic, and the I/N syntax.
final class StudyShardsTests: XCTestCase {
    func testLongestFirstToTheLeastLoaded() {
        // 5 → 0; 4 → 1; 3 → 1 (4 < 5); 3 → 0 (5 < 7); 1 → 1 (7 < 8): loads 8 and 8.
        XCTAssertEqual(StudyShards.assign(costs: [5, 4, 3, 3, 1], count: 2), [0, 1, 1, 0, 1])
        // Equal costs keep graph order, lower shard first.
        XCTAssertEqual(StudyShards.assign(costs: [1, 1, 1, 1], count: 3), [0, 1, 2, 0])
        XCTAssertEqual(StudyShards.assign(costs: [2, 7], count: 1), [0, 0])
        XCTAssertEqual(StudyShards.assign(costs: [], count: 4), [])
    }

    func testCostIsLayersTimesTileTypes() throws {
        let (network, _) = try Projects.network("seldnet_oxoy_m")
        let whole = try CausalTrunks(network: network).trunk(after: nil, through: nil)
        let layers = whole.nodes.filter { !$0.isInput }.count
        let out = try XCTUnwrap(whole.outputNode)
        // One tile covering the whole output: one type. A one-wide, one-tall tile: 3 × 3 types at most.
        XCTAssertEqual(StudyShards.cost(whole, tileX: out.size("OX"), tileY: out.size("OY")), Double(layers))
        XCTAssertEqual(StudyShards.cost(whole, tileX: 1, tileY: 1),
                       Double(layers * min(3, out.size("OX")) * min(3, out.size("OY"))))
    }

    func testShardSyntax() {
        XCTAssertEqual(StudyShards.parse("0/4").map { [$0.index, $0.count] }, [0, 4])
        XCTAssertEqual(StudyShards.parse("3/4").map { [$0.index, $0.count] }, [3, 4])
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", "0/10001", ""] {
            XCTAssertNil(StudyShards.parse(bad), bad)
        }
    }
}
