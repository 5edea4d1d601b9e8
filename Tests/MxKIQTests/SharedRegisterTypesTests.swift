import MxGFX80
import MxMMIO
import MxOSS30
import MxRuntimeRegisters
import MxStructures
import XCTest

/// A register or enum the runtime uses is one type, whether a consumer reaches it through the
/// runtime (MxRuntimeRegisters, MxStructures' MQD) or through a whole-block module: it passes
/// between them with no conversion.
final class SharedRegisterTypesTests: XCTestCase {
  func testTheRuntimesRegistersAreTheBlockModulesTypes() {
    XCTAssertTrue(MxGFX80.CP_HQD_PQ_CONTROL.self == MxRuntimeRegisters.CP_HQD_PQ_CONTROL.self)
    XCTAssertTrue(MxOSS30.SRBM_GFX_CNTL.self == MxRuntimeRegisters.SRBM_GFX_CNTL.self)
    // gfx_8_0 and oss_3_0 define MTYPE alike; both modules now give the runtime's.
    XCTAssertTrue(MxGFX80.MTYPE.self == MxOSS30.MTYPE.self)

    let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: vi_mqd.dwordCount * 4, alignment: 4)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0)
    let mqd = vi_mqd(unsafeBase: memory.baseAddress!)
    // A value built with the whole block's type goes into the MQD as it is, and comes back.
    var control = RegisterValue<MxGFX80.CP_HQD_PQ_CONTROL>(rawValue: 0)
    control[MxGFX80.CP_HQD_PQ_CONTROL.QUEUE_SIZE] = 10
    control[CP_HQD_PQ_CONTROL.MTYPE] = MxOSS30.MTYPE.MTYPE_UC
    mqd.cp_hqd_pq_control = control
    let read: RegisterValue<MxGFX80.CP_HQD_PQ_CONTROL> = mqd.cp_hqd_pq_control
    XCTAssertEqual(read[CP_HQD_PQ_CONTROL.QUEUE_SIZE], 10)
    XCTAssertEqual(read[CP_HQD_PQ_CONTROL.MTYPE], .MTYPE_UC)
    XCTAssertEqual(read.rawValue, control.rawValue)
  }

  /// The enums the kernel's headers repeat in every block (63 of them, `ArrayMode` among them) are
  /// one type too: a consumer who imports two blocks names `ArrayMode` without ambiguity, and a
  /// value of one block's `ArrayMode` is the other's.
  func testEnumsEveryBlockDefinesAreOneType() {
    XCTAssertTrue(MxGFX80.ArrayMode.self == MxOSS30.ArrayMode.self)
    XCTAssertTrue(MxGFX80.SurfaceFormat.self == MxSharedEnums.SurfaceFormat.self)
    // Unqualified, with both blocks imported: two types of this name would not compile.
    let mode: ArrayMode = MxOSS30.ArrayMode.ARRAY_2D_TILED_THIN1
    XCTAssertEqual(mode, MxGFX80.ArrayMode(rawValue: 4))
  }
}
