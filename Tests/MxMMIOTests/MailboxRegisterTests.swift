import MxBIF50
import MxMMIO
import XCTest

/// The real bif_5_0 mailbox registers, generated from the kernel headers.
final class MailboxRegisterTests: XCTestCase {
  func testModifyIsOneReadAndOneWriteOfTheRegister() {
    let bus = RecordingBus(recording: RegisterFile([0x14D0: 0x0000_0100]))
    bus.modify(MAILBOX_CONTROL.self) { $0[MAILBOX_CONTROL.TRN_MSG_VALID] = true }
    XCTAssertEqual(bus.trace, [.read(offset: 0x14D0, value: 0x100), .write(offset: 0x14D0, value: 0x101)])
  }

  func testReadDecodesFields() {
    let bus = RegisterFile([0x1503: 0x8000_0001])
    let id = bus.read(BIF_IOV_FUNC_IDENTIFIER.self)
    XCTAssertTrue(id[BIF_IOV_FUNC_IDENTIFIER.FUNC_IDENTIFIER])
    XCTAssertTrue(id[BIF_IOV_FUNC_IDENTIFIER.IOV_ENABLE])
    XCTAssertEqual(MAILBOX_MSGBUF_TRN_DW0.info.offset * 4, 0x5320)
  }

  func testValuesPrintAsNamedFields() {
    let value = RegisterValue<MAILBOX_CONTROL>(rawValue: 0x101)
    XCTAssertEqual(
      value.description, "MAILBOX_CONTROL(0x0000_0101: TRN_MSG_VALID=1 TRN_MSG_ACK=0 RCV_MSG_VALID=1 RCV_MSG_ACK=0)")
    XCTAssertEqual(
      RegisterValue<MAILBOX_MSGBUF_RCV_DW0>(rawValue: 0xDEAD_BEEF).description,
      "MAILBOX_MSGBUF_RCV_DW0(0xDEAD_BEEF: MSGBUF_DATA=0xDEADBEEF)")
  }
}
