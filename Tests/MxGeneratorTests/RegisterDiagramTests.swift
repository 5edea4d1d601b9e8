import MxGenerator
import XCTest

final class RegisterDiagramTests: XCTestCase {
  func testDiagramShowsBitsFieldsAndADecodedValue() throws {
    let (spec, _) = Generator().check(specsAt: Fixtures.golden + "/spec.xml")
    let block = try XCTUnwrap(spec.blocks.first)
    let register = try XCTUnwrap(block.registers.first { $0.name == "INT_STATUS" })
    XCTAssertEqual(
      RegisterDiagram.render(register, of: block, value: 0x0000_0221),
      """
      INT_STATUS - demo_1_2, mmio dword 0x101 (byte 0x404), access unknown, reset unknown

        31      24 23      16 15       8 7       0
        ....FFFF FFFFFFFF FFFFFFFF ..EEDCBA
        00000000 00000000 00000010 00100001  = 0x0000_0221

        key  bits   field    access   value
        F    27:8   WIDE     unknown  0x2
        E    5:4    SWAP     unknown  0x2 ENDIAN_8IN32
        D    3      default  unknown  0
        C    2      ENABLE   unknown  0
        B    1      ERROR    w1c      0
        A    0      DONE     w1c      1

      """)
  }

  func testRegisterWithoutFields() throws {
    let (spec, _) = Generator().check(specsAt: Fixtures.golden + "/spec.xml")
    let block = try XCTUnwrap(spec.blocks.first)
    let register = try XCTUnwrap(block.registers.first { $0.name == "TRACE" })
    XCTAssertTrue(RegisterDiagram.render(register, of: block).hasSuffix("(no fields)\n"))
    XCTAssertTrue(RegisterDiagram.render(register, of: block).hasPrefix("TRACE - demo_1_2, space dbg index 0x3, ro"))
  }
}
