import Foundation
import MxDevice
import XCTest

/// Register devices against regular files standing in for a BAR: accesses land in the file,
/// and every way of getting the device wrong is a clear error, never a crash.
final class DeviceTests: XCTestCase {
  private var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("mxdevice-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: folder)
  }

  private func bar(bytes: Int = 256 << 10) throws -> String {
    let path = folder.appendingPathComponent("resource5").path
    try Data(count: bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  private func dword(_ path: String, at offset: Int) throws -> UInt32 {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data[offset * 4..<offset * 4 + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
  }

  func testAMappedFileIsTheBAR() throws {
    let path = try bar()
    do {
      let device = try MappedResourceFile(path: path, writable: true)
      XCTAssertEqual(device.byteCount, 256 << 10)
      try device.write32(0x0000_0101, at: 0x14D0)
      XCTAssertEqual(try device.read32(at: 0x14D0), 0x101)
    }
    XCTAssertEqual(try dword(path, at: 0x14D0), 0x101, "a shared mapping writes the file")
    let readOnly = try MappedResourceFile(path: path, writable: false)
    XCTAssertEqual(try readOnly.read32(at: 0x14D0), 0x101)
    XCTAssertThrowsError(try readOnly.write32(1, at: 0x14D0)) {
      XCTAssertEqual($0 as? DeviceError, .readOnly(device: path))
    }
  }

  func testTheDebugfsFileIsReadAndWrittenAtByteAddresses() throws {
    let path = try bar()
    let device = try DebugfsRegisterFile(path: path, writable: true, byteCount: 256 << 10)
    try device.write32(0xCAFE_F00D, at: 0x1503)
    XCTAssertEqual(try device.read32(at: 0x1503), 0xCAFE_F00D)
    XCTAssertEqual(try dword(path, at: 0x1503), 0xCAFE_F00D)
  }

  func testWrongDevicesAreClearErrors() throws {
    let missing = folder.appendingPathComponent("no-such-resource").path
    XCTAssertThrowsError(try MappedResourceFile(path: missing, writable: false)) {
      XCTAssertEqual($0 as? DeviceError, .cannotOpen(path: missing, reason: "No such file or directory"))
    }
    XCTAssertThrowsError(try MappedResourceFile(path: folder.path, writable: true)) {
      guard case .cannotOpen(_, let reason) = $0 as? DeviceError else { return XCTFail("\($0)") }
      XCTAssertEqual(reason, "Is a directory")
    }
    for size in [0, 6] {
      let path = try bar(bytes: size)
      XCTAssertThrowsError(try MappedResourceFile(path: path, writable: false)) {
        XCTAssertEqual($0 as? DeviceError, .notRegisters(path: path, byteCount: size))
      }
    }
    let small = try MappedResourceFile(path: try bar(bytes: 4096), writable: true)
    XCTAssertThrowsError(try small.read32(at: 0x1503)) {
      XCTAssertEqual($0 as? DeviceError, .outOfRange(device: small.name, byteAddress: 0x540C, byteCount: 4096))
    }
    XCTAssertThrowsError(try small.write32(1, at: 1024), "one past the end") {
      XCTAssertEqual($0 as? DeviceError, .outOfRange(device: small.name, byteAddress: 4096, byteCount: 4096))
    }
    XCTAssertEqual(try small.read32(at: 1023), 0, "the last dword")
    let message = DeviceError.cannotOpen(path: "/sys/x/resource5", reason: "Permission denied").description
    XCTAssertTrue(message.contains("takes root"), message)
  }
}

/// amdgpu's debugfs ring file (`amdgpu_debugfs_ring_read`): three masked pointers, then the ring.
final class RingDumpTests: XCTestCase {
  func testTheFileIsThreePointersThenTheRingLittleEndian() throws {
    let dump = RingDump(readPointer: 2, writePointer: 3 + 8, driverWritePointer: 5, dwords: (0..<8).map { 0x100 + $0 })
    XCTAssertEqual(dump.writePointer, 3, "masked to the ring, as the kernel masks it")
    XCTAssertEqual(Array(dump.bytes.prefix(16)), [2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 0x00, 0x01, 0, 0])
    XCTAssertEqual(dump.bytes.count, 12 + 8 * 4)
    XCTAssertEqual(try RingDump(bytes: dump.bytes, name: "amdgpu_ring_gfx"), dump)
    XCTAssertEqual(dump.pendingDwords, 1)
    XCTAssertEqual(
      RingDump(readPointer: 6, writePointer: 1, driverWritePointer: 1, dwords: Array(repeating: 0, count: 8))
        .pendingDwords, 3, "around the end")
  }

  func testWhatIsNotARingDumpIsSaidSo() {
    func error(_ bytes: [UInt8]) -> String? {
      do {
        _ = try RingDump(bytes: bytes, name: "f")
        return nil
      } catch {
        return error.description
      }
    }
    let notARing =
      "f holds %d bytes, which is not a debugfs ring dump (12 bytes of pointers, then a power of two of dwords)"
    XCTAssertEqual(error([1, 2, 3, 4, 5]), String(format: notARing, 5))
    XCTAssertEqual(error(Array(repeating: 0, count: 12)), String(format: notARing, 12))
    XCTAssertEqual(error(Array(repeating: 0, count: 12 + 12)), String(format: notARing, 24), "3 dwords of ring")
    var beyond = [UInt8](repeating: 0, count: 12 + 16)
    beyond[4] = 4
    XCTAssertEqual(error(beyond), "f: pointer 4 lies beyond its ring of 4 dwords (the kernel masks them to the ring)")
  }
}
