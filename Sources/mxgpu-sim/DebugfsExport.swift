import Foundation
import MxDevice
import MxMemory
import MxScenario
import MxSimulator

/// `--debugfs DIR`: each VF's rings as amdgpu's debugfs files and its GPU memory as dumps, so that
/// `mxgpu ring` is tested on files of the real layout.
enum DebugfsExport {
  static func write(_ timeline: Timeline, to folder: String) throws {
    for (vf, rings) in timeline.rings.enumerated() {
      let directory = URL(fileURLWithPath: folder).appendingPathComponent("vf\(vf)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for ring in rings {
        let dump = RingDump(
          readPointer: ring.readPointer, writePointer: ring.writePointer, driverWritePointer: ring.driverWritePointer,
          dwords: ring.dwords)
        try Data(dump.bytes).write(to: directory.appendingPathComponent("amdgpu_ring_\(ring.name)"))
      }
      for (base, bytes) in spans(of: timeline.memories[vf]) {
        let name = "memory-0x\(String(base, radix: 16, uppercase: true)).bin"
        try Data(bytes).write(to: directory.appendingPathComponent(name))
      }
    }
  }

  /// Per memory domain, the bytes from its lowest allocation to the end of its highest (zeros
  /// between allocations).
  private static func spans(of memory: SimulatedGPUMemory) -> [(UInt64, [UInt8])] {
    let byDomain = Dictionary(grouping: memory.allocations) { memory.isVRAM($0.gpuAddress) }
    return byDomain.values.compactMap { allocations -> (UInt64, [UInt8])? in
      guard let low = allocations.map(\.gpuAddress).min(),
        let high = allocations.map({ $0.gpuAddress + UInt64($0.size) }).max()
      else { return nil }
      var bytes = [UInt8](repeating: 0, count: Int(high - low))
      for allocation in allocations {
        let start = Int(allocation.gpuAddress - low)
        bytes.replaceSubrange(start..<start + allocation.size, with: UnsafeRawBufferPointer(allocation.cpu))
      }
      return (low, bytes)
    }.sorted { $0.0 < $1.0 }
  }
}
