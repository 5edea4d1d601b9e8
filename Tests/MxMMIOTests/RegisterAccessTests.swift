import MxDEMO12
import MxMMIO
import XCTest

/// The runtime on the golden demo block, which has one of every register shape.
final class RegisterAccessTests: XCTestCase {
  func testWriteStartsFromResetValue() {
    let bus = RecordingBus(recording: RegisterFile())
    bus.write(CLOCK.self) { $0[CLOCK.DIVIDER] = 5 }
    // Indirect: index to SMC_IND_INDEX, then the value (reset 0x100 | 5) to SMC_IND_DATA.
    XCTAssertEqual(bus.trace, [.write(offset: 0x80, value: 0x10), .write(offset: 0x81, value: 0x105)])
  }

  /// No source gives INT_STATUS's reset: `write` starts from 0, as the driver's value-built
  /// writes do, and `reset` says it does not know.
  func testWriteStartsFromZeroWhenTheResetIsUnknown() {
    XCTAssertNil(INT_STATUS.info.resetValue)
    XCTAssertNil(RegisterValue<INT_STATUS>.reset)
    XCTAssertEqual(RegisterValue<CLOCK>.reset?.rawValue, 0x100)
    let bus = RecordingBus(recording: RegisterFile([0x101: 0xFFFF_FFFF]))
    bus.write(INT_STATUS.self) { $0[INT_STATUS.ENABLE] = true }
    XCTAssertEqual(bus.trace, [.write(offset: 0x101, value: 0x0000_0004)], "nothing but ENABLE, whatever was there")
  }

  func testModifyNeverWritesBackPendingWriteOneToClearBits() {
    let bus = RecordingBus(recording: RegisterFile([0x101: 0b0011]))  // DONE and ERROR pending
    bus.modify(INT_STATUS.self) { $0[INT_STATUS.ENABLE] = true }
    XCTAssertEqual(bus.trace.last, .write(offset: 0x101, value: 0b0100))

    bus.modify(INT_STATUS.self) { $0[INT_STATUS.DONE] = true }  // clear DONE on purpose
    XCTAssertEqual(bus.trace.last, .write(offset: 0x101, value: 0b0101))
  }

  func testIndirectModifyWritesTheIndexOnce() {
    let file = RegisterFile([0x81: 0xAB00])
    let bus = RecordingBus(recording: file)
    bus.modify(CLOCK.self) { $0[CLOCK.DIVIDER] = 0x12 }
    XCTAssertEqual(
      bus.trace,
      [.write(offset: 0x80, value: 0x10), .read(offset: 0x81, value: 0xAB00), .write(offset: 0x81, value: 0xAB12)])
  }

  func testEnumFieldsReadUnnamedValuesWithoutTrapping() {
    var value = RegisterValue<INT_STATUS>(rawValue: 0b11_0000)
    XCTAssertEqual(value[INT_STATUS.SWAP], ENDIAN(rawValue: 3))
    value[INT_STATUS.SWAP] = .ENDIAN_8IN32
    XCTAssertEqual(value.rawValue, 0b10_0000)
  }

  func testOversizedValuesAreTruncatedToTheFieldAndDetectable() {
    var value = RegisterValue<INT_STATUS>(rawValue: 0)
    let field = INT_STATUS.WIDE
    XCTAssertTrue(field.fits(0xF_FFFF))
    XCTAssertFalse(field.fits(0x10_0000))
    value[field] = 0x1F_FFFF
    XCTAssertEqual(value.rawValue, 0x0FFF_FF00, "only the field's 20 bits are written")
    XCTAssertEqual(field.width, 20)
  }

  func testReadOnlyFieldsRead() {
    let status = RegisterValue<STATUS>(rawValue: 0x0000_2A01)
    XCTAssertTrue(status[STATUS.BUSY])
    XCTAssertEqual(status[STATUS.COUNT], 0x2A)
  }

  func testMappedBusAccessesMemoryAtFourTimesTheOffset() {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: 0x100, alignment: 4)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: 0x100)
    let bus = MappedMMIOBus(base: memory, byteCount: 0x100)
    bus.write32(0xDEAD_BEEF, at: 0x10)
    XCTAssertEqual(memory.load(fromByteOffset: 0x40, as: UInt32.self), 0xDEAD_BEEF)
    XCTAssertEqual(bus.read32(at: 0x10), 0xDEAD_BEEF)
  }

  func testEnumFieldsPrintByValueName() {
    XCTAssertEqual(
      RegisterValue<INT_STATUS>(rawValue: 0x0000_0221).description,
      "INT_STATUS(0x0000_0221: DONE=1 ERROR=0 ENABLE=0 default=0 SWAP=ENDIAN_8IN32(2) WIDE=2)")
    XCTAssertEqual(RegisterValue<STATUS>.reset?.description, "STATUS(0x8000_0001: BUSY=1 COUNT=0)")
  }

  /// TIMER0_CNTL and TIMER1_CNTL share their layout's field descriptors: each field is still
  /// the register's own type, code can be generic over the layout, and the read-only TIMER2_CNTL,
  /// with the same bits, is not one of them.
  func testRegistersLaidOutAlikeShareTheirFields() {
    func start<R: TIMER0_CNTL_Layout>(_ timer: R.Type, period: UInt16, on bus: some RegisterBus) {
      bus.write(timer) {
        $0[R.PERIOD] = period
        $0[R.ENABLE] = true
      }
    }
    let bus = RecordingBus(recording: RegisterFile())
    start(TIMER0_CNTL.self, period: 0x1234, on: bus)
    start(TIMER1_CNTL.self, period: 0xFFFF, on: bus)
    XCTAssertEqual(bus.trace, [.write(offset: 0x200, value: 0x8000_1234), .write(offset: 0x201, value: 0x8000_FFFF)])

    let value = RegisterValue<TIMER1_CNTL>(rawValue: 0x8000_0010)
    XCTAssertEqual(value[TIMER1_CNTL.PERIOD], 0x10)
    XCTAssertEqual(value.description, "TIMER1_CNTL(0x8000_0010: PERIOD=0x10 ENABLE=1)")
    XCTAssertFalse((TIMER2_CNTL.self as Any.Type) is any TIMER0_CNTL_Layout.Type)
    XCTAssertEqual(RegisterValue<TIMER2_CNTL>(rawValue: 0x8000_0001)[TIMER2_CNTL.PERIOD], 1)
  }
}
