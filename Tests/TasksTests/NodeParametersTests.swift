import Graph
@testable import Tasks
import XCTest

/// The stack and trunk parameters a study graph builds by hand are exactly what the generic
/// coder makes of the same `Parameters` (node keys, closure keys and run records depend on them).
final class NodeParametersTests: XCTestCase {
    func testHandBuiltParametersEqualTheCodedOnes() throws {
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let causal = CausalTrunks(network: network)
        let trunk = try causal.trunk(after: nil, through: 3)
        for fullSize in [nil, network] {
            let v = try TrunkValues(trunk: trunk, fullSize: fullSize, core: core)
            for (mode, objective) in [(CachingMode.fullyCached, Objective.energy), (.recompute, .latency)] {
                let hand = try StackTask.params(v, mode: mode, tileX: 8, tileY: 4, lpfLimit: 6, objective: objective)
                let coded = try ValueCoder.encode(StackTask.Parameters(
                    trunk: v.trunk, fullSize: v.fullSize, core: v.core, mode: mode, tile: TileSize(8, 4), lpf: 6,
                    objective: objective))
                XCTAssertEqual(hand, coded)
                XCTAssertEqual(try CanonicalEncoder.digest(hand), try CanonicalEncoder.digest(coded))
            }
            guard let full = v.fullSize else { continue }
            for networkEnd in [false, true] {
                let hand = try TrunkTask.params(v, tileX: 2, tileY: 16, networkEnd: networkEnd)
                let coded = try ValueCoder.encode(TrunkTask.Parameters(trunk: v.trunk, fullSize: full, core: v.core,
                                                                       tile: TileSize(2, 16), networkEnd: networkEnd))
                XCTAssertEqual(hand, coded)
                XCTAssertEqual(try CanonicalEncoder.digest(hand), try CanonicalEncoder.digest(coded))
            }
        }
    }

    /// A trunk node's footprint is kept by networks and tile: the kept one equals the footprint
    /// computed afresh, and a trunk on other hardware with the same networks and tile shares it.
    func testKeptFootprintsEqualFreshOnes() throws {
        let (network, core) = try Projects.network("seldnet_oxoy_m")
        let trunk = try CausalTrunks(network: network).trunk(after: nil, through: 3)
        var other = core
        other.name += " (other)"
        for (tile, c) in [(TileSize(2, 16), core), (TileSize(4, 1), core), (TileSize(2, 16), other)] {
            let p = TrunkTask.Parameters(trunk: try Shared(trunk), fullSize: try Shared(network), core: try Shared(c),
                                         tile: tile, networkEnd: false)
            let fresh = Footprint(trunk: trunk, fullSize: network, tileX: tile.x, tileY: tile.y)
            XCTAssertEqual(TrunkTask.footprint(p), fresh)
            XCTAssertEqual(TrunkTask.footprint(p), fresh, "kept")
        }
        XCTAssertNotEqual(Footprint(trunk: trunk, fullSize: network, tileX: 2, tileY: 16),
                          Footprint(trunk: trunk, fullSize: network, tileX: 4, tileY: 1), "tiles differ")
    }

    /// Networks are built as values by hand for the shared trunk parameters: the same value the
    /// generic coder makes, for every shipped workload, its causal trunks and its input nodes.
    func testHandBuiltNetworkValueIsTheCodedOne() throws {
        for name in ["seldnet_oxoy_m", "stftcnn_1x", "stftcnn_16x", "fsrcnn", "resnet18"] {
            let (network, _) = try Projects.network(name)
            XCTAssertEqual(network.value, try ValueCoder.encode(network), name)
            XCTAssertTrue(network.nodes.contains { $0.isInput } && network.nodes.contains { !$0.dimensionMap.isEmpty },
                          "\(name): input nodes and dimension maps are covered")
            let causal = CausalTrunks(network: network)
            let trunk = try causal.trunk(after: nil, through: network.nodes.last { !$0.isInput }?.id)
            XCTAssertEqual(trunk.value, try ValueCoder.encode(trunk), "\(name) trunk")
            let shared = try Shared(trunk, as: trunk.value)
            XCTAssertEqual(shared.reference.digest, try Shared(trunk).reference.digest)
        }
    }
}
