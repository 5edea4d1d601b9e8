import MxCSA
import MxPM4
import MxPM4Packets
import XCTest

/// The CE/DE metadata and IB emission of a VF, bit for bit against the facts' conformance vectors
/// (appendix B, facts 4.3) in both layouts.
final class CSAMetadataTests: XCTestCase {
  private let csa = ContextSaveArea(vmSize: VMSize(gigabytes: 64)!)

  private func emit(_ body: (inout PM4Buffer) throws(PM4EncodingError) -> Void) throws -> [UInt32] {
    var storage = [UInt32](repeating: 0, count: 64)
    return try storage.withUnsafeMutableBufferPointer { memory in
      var sink = PM4Buffer(base: memory.baseAddress!, capacity: memory.count)
      try body(&sink)
      return Array(memory.prefix(sink.count))
    }
  }

  func testTheCSAOfA64GiBVM() {
    XCTAssertEqual(csa.virtualAddress, 0x0000_000F_FFE0_0000)
    XCTAssertEqual(csa.gdsBackupAddress, 0x0000_000F_FFE0_1000)
  }

  func testConstantEngineMetadataInBothLayouts() throws {
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitConstantEngine(csa: csa, layout: .regular, into: &sink)
      },
      [0xC006_3700, 0x8010_0800, 0xFFE0_0000, 0xF, 0, 0, 0, 0])
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitConstantEngine(csa: csa, layout: .chainedIB, into: &sink)
      },
      [0xC00C_3700, 0x8010_0800, 0xFFE0_0000, 0xF] + Array(repeating: 0, count: 10))
    XCTAssertEqual(CSAMetadata.constantEngineDwords(.regular), 8)
    XCTAssertEqual(CSAMetadata.constantEngineDwords(.chainedIB), 14)
  }

  func testDrawEngineMetadataInBothLayouts() throws {
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitDrawEngine(csa: csa, layout: .regular, into: &sink)
      },
      [0xC013_3700, 0x4010_0800, 0xFFE0_0100, 0xF] + Array(repeating: 0, count: 12) + [0xFFE0_1000, 0xF, 0, 0, 0])
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitDrawEngine(csa: csa, layout: .chainedIB, into: &sink)
      },
      [0xC01D_3700, 0x4010_0800, 0xFFE0_0100, 0xF] + Array(repeating: 0, count: 22) + [0xFFE0_1000, 0xF, 0, 0, 0])
    XCTAssertEqual(CSAMetadata.drawEngineDwords(.regular), 21)
    XCTAssertEqual(CSAMetadata.drawEngineDwords(.chainedIB), 31)
  }

  func testTheMetadataDecodesAsWritesOfPreemptionMetadata() throws {
    for layout in [CSAMetadataLayout.regular, .chainedIB] {
      let dwords = try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitConstantEngine(csa: csa, layout: layout, into: &sink)
        try CSAMetadata.emitDrawEngine(csa: csa, layout: layout, into: &sink)
      }
      let packets = try Pm4ViPacket.decode(dwords).map(\.packet)
      guard packets.count == 2, case .WRITE_DATA(let ce) = packets[0], case .WRITE_DATA(let de) = packets[1] else {
        return XCTFail("\(layout): \(packets)")
      }
      XCTAssertEqual([ce.DST_SEL, de.DST_SEL], [.PREEMPTION_METADATA, .PREEMPTION_METADATA])
      XCTAssertEqual([ce.ENGINE_SEL, de.ENGINE_SEL], [.CE, .PFP])
      XCTAssertEqual(UInt64(de.DST_ADDR_HI) << 32 | UInt64(de.DST_ADDR_LO), csa.virtualAddress + 0x100)
    }
  }

  func testTheLayoutFollowsBothFirmwareFeatureVersions() {
    typealias Layout = CSAMetadataLayout
    XCTAssertEqual(Layout(constantEngineFeatureVersion: 46, prefetchParserFeatureVersion: 46), .chainedIB)
    XCTAssertEqual(Layout(constantEngineFeatureVersion: 60, prefetchParserFeatureVersion: 47), .chainedIB)
    XCTAssertEqual(Layout(constantEngineFeatureVersion: 45, prefetchParserFeatureVersion: 46), .regular)
    XCTAssertEqual(Layout(constantEngineFeatureVersion: 46, prefetchParserFeatureVersion: 45), .regular)
  }

  func testAPreemptibleIBOfAVFCarriesTheDrawEngineMetadata() throws {
    let ib = GFXIndirectBuffer(address: 0x1_2345_6780, lengthDwords: 0x40, vmid: 3, preemptible: true)
    for layout in [CSAMetadataLayout.regular, .chainedIB] {
      let dwords = try emit { (sink) throws(PM4EncodingError) in try ib.emit(csa: csa, layout: layout, into: &sink) }
      let metadata = try emit { (sink) throws(PM4EncodingError) in
        try CSAMetadata.emitDrawEngine(csa: csa, layout: layout, into: &sink)
      }
      // INDIRECT_BUFFER, 2 body dwords past the first: base & ~3, high 16 bits, length | PRE_ENB | vmid << 24.
      XCTAssertEqual(dwords, metadata + [0xC002_3F00, 0x2345_6780, 0x0001, 0x40 | 1 << 21 | 3 << 24])
    }
  }

  func testIBsThatCarryNoMetadata() throws {
    let constant = GFXIndirectBuffer(
      address: 0x1000, lengthDwords: 8, vmid: 3, constantEngine: true, preemptible: true)
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in try constant.emit(csa: csa, layout: .regular, into: &sink) },
      [0xC002_3300, 0x1000, 0, 8 | 1 << 21 | 3 << 24], "a CE IB: INDIRECT_BUFFER_CONST, PRE_ENB, no metadata")
    let kernel = GFXIndirectBuffer(address: 0x1000, lengthDwords: 8, vmid: 0, preemptible: true)
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in try kernel.emit(csa: csa, layout: .regular, into: &sink) },
      [0xC002_3F00, 0x1000, 0, 8 | 1 << 21], "VMID 0: no metadata")
    let plain = GFXIndirectBuffer(address: 0x1000, lengthDwords: 8, vmid: 5)
    XCTAssertEqual(
      try emit { (sink) throws(PM4EncodingError) in try plain.emit(csa: csa, layout: .regular, into: &sink) },
      [0xC002_3F00, 0x1000, 0, 8 | 5 << 24], "not preemptible: no PRE_ENB, no metadata")
  }

  func testAnIBTooLongOrWithAWideVMIDWritesNothing() throws {
    for ib in [
      GFXIndirectBuffer(address: 0x1000, lengthDwords: 1 << 20, vmid: 3, preemptible: true),
      GFXIndirectBuffer(address: 0x1000, lengthDwords: 8, vmid: 16, preemptible: true),
    ] {
      var storage = [UInt32](repeating: 0, count: 64)
      try storage.withUnsafeMutableBufferPointer { memory in
        var sink = PM4Buffer(base: memory.baseAddress!, capacity: memory.count)
        XCTAssertThrowsError(try ib.emit(csa: csa, layout: .chainedIB, into: &sink)) {
          guard case .valueDoesNotFit(packet: "INDIRECT_BUFFER", _, _, _) = $0 as? PM4EncodingError else {
            return XCTFail("\($0)")
          }
        }
        XCTAssertEqual(sink.count, 0)
      }
    }
  }

  func testNoRoomForMetadataAndIBWritesNothing() throws {
    let ib = GFXIndirectBuffer(address: 0x1000, lengthDwords: 8, vmid: 3, preemptible: true)
    var storage = [UInt32](repeating: 0, count: 24)  // the DE metadata fits, the IB after it does not
    try storage.withUnsafeMutableBufferPointer { memory in
      var sink = PM4Buffer(base: memory.baseAddress!, capacity: memory.count)
      XCTAssertThrowsError(try ib.emit(csa: csa, layout: .regular, into: &sink)) {
        XCTAssertEqual($0 as? PM4EncodingError, .noSpace(needed: 25, available: 24))
      }
      XCTAssertEqual(sink.count, 0)
    }
  }
}
