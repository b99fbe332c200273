import Foundation
@testable import Tasks
import XCTest

/// Weight-overflow cuts of model.md §5.1 for the shipped hardware, on the reference's table.
final class StackCutsTests: XCTestCase {
    func network(_ workload: String, _ hardware: String) throws -> (Network, Core) { try Projects.network(workload,
        on: hardware) }

    func testUnitsKeepResidualBlocksWhole() throws {
        let (resnet, _) = try network("resnet18", "meta_prototype_df")
        let units = StackCuts.units(resnet)
        XCTAssertEqual(units.first, [-1, 0])
        XCTAssertTrue(units.contains([2, 3, 4]))   // conv, conv, add with the skip from 1
        XCTAssertTrue(units.contains([8, 9, 10]))
        XCTAssertEqual(units.last, [27])
    }

    func testCutsOfTheSpecTable() throws {
        for hardware in ["meta_prototype_df", "tesla_npu_like_df", "ascend_like_df", "edge_tpu_like_df",
                         "tpu_like_df"] {
            let (resnet, core) = try network("resnet18", hardware)
            XCTAssertEqual(StackCuts.forward(resnet, core), [13] + Array(16...25), hardware)
            for workload in ["fsrcnn", "seldnet_oxoy_m", "stftcnn_1x", "stftcnn_16x"] {
                let (net, core) = try network(workload, hardware)
                XCTAssertEqual(StackCuts.forward(net, core), [], "\(workload) on \(hardware)")
                XCTAssertEqual(StackCuts.reverse(net, core), [], "\(workload) on \(hardware)")
            }
        }
    }

    /// model.md §5.1 on seldnet (after full-size correction): cutting after layer 3 gives a trunk fed by a
    /// substack input node with the extents layer 4 reads.
    func testSubstackExtraction() throws {
        let (net, _) = try network("seldnet_oxoy_m", "meta_prototype_df")
        let full = BackPropagation(net, tileX: nil, tileY: nil, useH: false, makeH: false, useV: false,
                                   makeV: false).network
        let tail = try full.substack(after: 3, through: nil)
        XCTAssertEqual(tail.nodes.map(\.id), [-2, 4, 5, 6, 7])
        let input = try XCTUnwrap(tail.nodes.first)
        XCTAssertTrue(input.isInput)
        XCTAssertEqual(input.name, "substack_input_layer_0")
        // Layer 4: C 128, output 40 × 66 with a 3 × 3 kernel: input 42 × 68 (the reference's seldnet table).
        XCTAssertEqual(input.inputSizes.map(\.size), [1, 128, 68, 42])
        XCTAssertEqual(input.inputPrecision, 8)
        XCTAssertEqual(tail.node(4)?.sources.first?.producer, -2)
        let head = try full.substack(after: nil, through: 3)
        XCTAssertEqual(head.nodes.map(\.id), [-1, 0, 1, 2, 3])
        let trunks = try full.trunks(cuts: [3])
        XCTAssertEqual(trunks.map { $0.network.nodes.count }, [5, 5])
        // Cutting inside a residual block: layer 1 also feeds the add (4) beyond the range, which
        // is dropped; the trunk keeps the single output 3.
        let (resnet, _) = try network("resnet18", "meta_prototype_df")
        XCTAssertEqual(try resnet.substack(after: 1, through: 3).nodes.map(\.id), [-2, 2, 3])
    }
}
