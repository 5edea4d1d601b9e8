import MxChips
import MxMMIO
import XCTest

final class ChipTests: XCTestCase {
  func testGoldenTablesHaveTheDriversSizesAndOrder() {
    XCTAssertEqual(Tonga.goldenSequences.map(\.count), [87, 37, 7])
    XCTAssertEqual(Fiji.goldenSequences.map(\.count), [47, 25, 10])
    // Entries resolved to offsets (facts sheet appendix A).
    XCTAssertEqual(
      Tonga.xgpu_tonga_golden_common_all[3], GoldenWrite("GB_ADDR_CONFIG", offset: 0x263E, and: ~0, or: 0x2201_1002))
    XCTAssertEqual(
      Fiji.xgpu_fiji_golden_common_all[3], GoldenWrite("GB_ADDR_CONFIG", offset: 0x263E, and: ~0, or: 0x2201_1003))
    XCTAssertEqual(
      Tonga.xgpu_tonga_mgcg_cgcg_init[77], GoldenWrite("SMC_IND_INDEX_4", offset: 0x88, and: ~0, or: 0xC060_000C))
    XCTAssertEqual(
      Tonga.xgpu_tonga_golden_settings_a11[33],
      GoldenWrite("VM_PRT_APERTURE0_LOW_ADDR", offset: 0x52C, and: 0x0FFF_FFFF, or: 0x0FFF_FFFF))
  }

  func testPCIIDsMarkOnlyWhatASourceSays() {
    XCTAssertEqual(Tonga.pciIDs.count, 9)
    XCTAssertEqual(Tonga.pciIDs.filter { $0.function == .virtual }.map(\.device), [0x692F])
    XCTAssertEqual(Tonga.pciIDs.filter { $0.function == .physical }.map(\.device), [0x6929])
    // Quirk 10: 0x730F is not confirmed as Fiji's VF by any source.
    XCTAssertEqual(Fiji.pciIDs.map(\.device), [0x7300, 0x730F])
    XCTAssertEqual(Fiji.pciIDs.first { $0.device == 0x730F }?.function, .unknown)
  }

  func testAllOnesAndMaskWritesWithoutReading() {
    let bus = RecordingBus(recording: RegisterFile([0x263E: 0xFFFF_FFFF]))
    bus.apply([GoldenWrite("GB_ADDR_CONFIG", offset: 0x263E, and: ~0, or: 0x2201_1002)])
    XCTAssertEqual(bus.trace, [.write(offset: 0x263E, value: 0x2201_1002)])
  }

  func testGoldenWriteOrsTheFullOrMaskAsVIDoes() {
    // Quirk 8: TCC_CTRL and 0x00100000, or 0xF31FFF7F. VI ORs the whole or_mask; AI and later
    // would OR only (or & and) = 0x00100000.
    let bus = RecordingBus(recording: RegisterFile([0x2B80: 0x0000_0080]))
    bus.apply([GoldenWrite("TCC_CTRL", offset: 0x2B80, and: 0x0010_0000, or: 0xF31F_FF7F)])
    XCTAssertEqual(bus.trace, [.read(offset: 0x2B80, value: 0x80), .write(offset: 0x2B80, value: 0xF31F_FFFF)])
  }
}
