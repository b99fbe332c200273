@testable import Tasks
import XCTest

/// The report's axes (issue 15): ticks 1, 2 or 5 × 10ⁿ apart covering the data, labels in a
/// unit scaled to the data, locale-free; and result keys read back for chart labels.
final class ChartAxisTests: XCTestCase {
    /// By hand: the quickstart's latencies 3,307,990 … 3,495,845 cycles span 187,855; five
    /// intervals want ≥ 37,571 each, so the step is 50,000, from 3,300,000 to 3,500,000; the
    /// largest tick (3.5 M) is under 10 M, so the unit is k cycles.
    func testTicksAreNiceAndTheUnitFitsTheData() {
        let latency = ChartAxis("latency", .latency, values: [3_307_990, 3_495_845])
        XCTAssertEqual(latency.ticks, [3_300_000, 3_350_000, 3_400_000, 3_450_000, 3_500_000])
        XCTAssertEqual(latency.title, "latency (k cycles)")
        XCTAssertEqual(latency.ticks.map(latency.label), ["3,300", "3,350", "3,400", "3,450", "3,500"])
        // The budget axis from 0: 8,388,608 bits over five intervals → steps of 2 M, up to 10 Mbit.
        let bits = ChartAxis("peak", .bits, values: [0, 8_388_608], fromZero: true)
        XCTAssertEqual(bits.ticks.map(bits.label), ["0", "2", "4", "6", "8", "10"])
        XCTAssertEqual(bits.title, "peak (Mbit)")
        // Ratios below 2: steps of 0.5, one decimal.
        let ratio = ChartAxis("energy ÷ ACCO's best", .plain(""), values: [0, 1, 1.65], fromZero: true)
        XCTAssertEqual(ratio.ticks.map(ratio.label), ["0.0", "0.5", "1.0", "1.5", "2.0"])
        XCTAssertEqual(ChartAxis.niceStep(0.37), 0.5)
        XCTAssertEqual(ChartAxis.niceStep(37_571), 50_000)
        XCTAssertEqual(ChartAxis.niceStep(1_000), 1_000)
    }

    func testReadableValuesAndGroupingAreLocaleFree() {
        XCTAssertEqual(ChartAxis.readable(3_071_643_971, .energy), "3.07 mJ")
        XCTAssertEqual(ChartAxis.readable(13_784_514, .latency), "13.8 M cycles")
        XCTAssertEqual(ChartAxis.readable(707, .energy), "707 pJ")
        XCTAssertEqual(ChartAxis.grouped(1_234_567.891, decimals: 2), "1,234,567.89")
        XCTAssertEqual(ChartAxis.grouped(-1_234.5, decimals: 1), "-1,234.5")
        XCTAssertEqual(ChartAxis.grouped(-0.001, decimals: 2), "0.00")
    }

    func testResultKeysReadBackAsTheyAreNamed() {
        XCTAssertEqual(ResultKey.meaning(ResultKey.layer(6)), .layer(6))
        XCTAssertEqual(ResultKey.meaning(ResultKey.copiesBefore(6)), .copiesBefore(6))
        XCTAssertEqual(ResultKey.meaning(ResultKey.inputCopies(-2)), .inputCopies(-2))
        XCTAssertEqual(ResultKey.meaning("O@2.rd_out_to_high"), .other)
        XCTAssertEqual(StudyReport.keyName(ResultKey.copiesBefore(3), layers: [3: "conv2 (Conv)"]),
                       "copies into layer 3 conv2 (Conv)")
    }
}
