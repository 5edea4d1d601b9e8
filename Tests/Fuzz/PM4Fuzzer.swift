import Foundation
import MxGenerator
import MxPM4
import MxPM4Packets

// libFuzzer target for PM4 decoding: the input is little-endian dwords (a trailing partial dword
// is dropped). The generated decoder and the spec-driven disassembler must agree (same packets,
// or an error at the same dword), every stream the decoder accepts must re-encode to itself, and
// the lenient decoder must cover every dword once.

/// The disassembler of Specs/packets, found from this file's place in the package
/// (`MXGPUKIT_SPECS` overrides it).
private let disassembler: PacketDisassembler = {
  let specs =
    ProcessInfo.processInfo.environment["MXGPUKIT_SPECS"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Specs/packets").path
  let (spec, diagnostics) = Generator().check(specsAt: specs)
  guard !diagnostics.hasErrors, let set = spec.packetSets.first else { fatalError("cannot load \(specs)") }
  return PacketDisassembler(set: set, in: spec)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPM4(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  var dwords = [UInt32](repeating: 0, count: size / 4)
  if let data {
    for index in dwords.indices {
      dwords[index] = (0..<4).reduce(0) { $0 | UInt32(data[index * 4 + $1]) << (8 * $1) }
    }
  }
  // The dump decoder covers every dword exactly once, in order, whatever the input.
  var next = 0
  for item in disassembler.decodeLeniently(dwords) {
    precondition(item.range.lowerBound == next && !item.range.isEmpty, "lenient item \(item) after dword \(next)")
    next = item.range.upperBound
  }
  precondition(next == dwords.count, "lenient decoding covers \(next) of \(dwords.count) dwords")

  let (expected, disassemblerError) = disassembler.decode(dwords)
  let decoded: [DecodedPM4Packet<Pm4ViPacket>]
  do {
    decoded = try Pm4ViPacket.decode(dwords)
  } catch {
    precondition(
      disassemblerError?.dwordIndex == error.dwordIndex, "\(error) vs \(String(describing: disassemblerError))")
    return 0
  }
  precondition(disassemblerError == nil, "only the disassembler rejects: \(String(describing: disassemblerError))")
  precondition(decoded.map(\.index) == expected.map(\.index), "packet boundaries differ")
  guard !dwords.isEmpty else { return 0 }
  var reencoded = [UInt32](repeating: 0, count: dwords.count)
  reencoded.withUnsafeMutableBufferPointer { storage in
    var buffer = PM4Buffer(base: storage.baseAddress!, capacity: storage.count)
    for packet in decoded {
      do {
        try packet.packet.encode(
          into: &buffer, payload: dwords[packet.payload], shaderType: packet.shaderType, predicate: packet.predicate)
      } catch {
        preconditionFailure("decoded packet at \(packet.index) does not re-encode: \(error)")
      }
    }
    precondition(buffer.count == storage.count, "re-encoding is \(buffer.count) dwords, not \(storage.count)")
  }
  precondition(reencoded == dwords, "re-encoding differs")
  return 0
}
