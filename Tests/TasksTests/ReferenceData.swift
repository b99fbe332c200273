import Foundation
@testable import Tasks

/// Loads the golden files in `Tests/TasksTests/Reference/` (numbers from the public reference
/// implementations, with their provenance in each file's `description`), vendored so that a clean
/// clone can run the tests on its own.
enum ReferenceData {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference")
    /// The repository root (for the shipped `projects/` files).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }
}

/// Reads the reference's own description of a layer, core and mapping (golden-single-layer.json
/// `inputs`) into the model's types.
struct GoldenInputs {
    let layer: Layer
    let core: Core
    let lpfLimit: Int

    init(layer: Layer, core: Core, lpfLimit: Int) {
        self.layer = layer; self.core = core; self.lpfLimit = lpfLimit
    }

    init(_ inputs: [String: Any]) throws {
        let l = inputs["layer"] as! [String: Any]
        let sizes = (l["loop_sizes_in_order"] as! [[Any]]).map { Layer.LoopSize($0[0] as! String, $0[1] as! Int) }
        let spatial = (inputs["spatial_mapping_in_order"] as! [[Any]]).map {
            Layer.SpatialUnroll($0[0] as! String, $0[1] as! String, $0[2] as! Int)
        }
        layer = try Layer(id: 0, equation: l["equation"] as! String, relations: l["relations"] as! [String],
                          loopSizes: sizes, precision: l["precision"] as! [String: Int],
                          constantOperands: l["constant_operands"] as! [String], spatialMapping: spatial,
                          memoryOperandLinks: l["memory_operand_links"] as! [String: String])
        let hw = inputs["hardware"] as! [String: Any]
        let array = hw["operational_array"] as! [String: Any]
        let dims = (array["dims"] as! [[Any]]).map { (name: $0[0] as! String, size: $0[1] as! Int) }
        let memories = (hw["memories_in_insertion_order"] as! [[String: Any]]).map { m -> Memory in
            let operands = (m["operands"] as! [String: Int]).sorted { $0.key < $1.key }.map(\.key)
            let ports = (m["ports"] as! [String: [[Any]]]).sorted { $0.key < $1.key }.map { name, duties in
                Port(name: name, kind: name.hasPrefix("rw") ? .readWrite : name.hasPrefix("r") ? .read : .write,
                     duties: duties.map { Duty($0[0] as! String, $0[1] as! Int,
                                               Direction(rawValue: $0[2] as! String)!) })
            }
            let served = (m["served_dims"] as? [String]) ?? dims.map(\.name)
            return Memory(name: m["name"] as! String, size: m["size_bits"] as! Int, readBandwidth: m["r_bw"] as! Int,
                          writeBandwidth: m["w_bw"] as! Int, readGranularity: m["r_bw_min"] as? Int,
                          writeGranularity: m["w_bw_min"] as? Int, readCost: (m["r_cost_pJ"] as! NSNumber).doubleValue,
                          writeCost: (m["w_cost_pJ"] as! NSNumber).doubleValue, latency: m["latency_cycles"] as! Int,
                          operands: operands, ports: ports, servedDims: served)
        }
        core = Core(name: hw["name"] as! String, arrayDims: dims,
                    macEnergy: (array["mac_energy_pJ"] as! NSNumber).doubleValue, memories: memories)
        lpfLimit = inputs["lpf_limit"] as! Int
    }
}

/// The shipped project files.
enum Projects {
    static let folder = ReferenceData.repository.appendingPathComponent("projects")

    static func files(workload: String, hardware: String) -> ProblemFiles {
        ProblemFiles(hardware: folder.appendingPathComponent("hardware/\(hardware).json").path,
                     workload: folder.appendingPathComponent("workloads/\(workload).json").path,
                     mapping: folder.appendingPathComponent("mappings/\(hardware).json").path)
    }

    /// A shipped workload as a network (declared sizes, not yet back-propagated) and the core.
    static func network(_ workload: String, on hardware: String = "meta_prototype_df") throws -> (Network, Core) {
        let files = files(workload: workload, hardware: hardware)
        let core = try HardwareFormat.load(files.hardware)
        return (try Network.build(nodes: try WorkloadFormat.load(files.workload),
                                  mapping: try MappingFormat.load(files.mapping), core: core, files: files), core)
    }
}
