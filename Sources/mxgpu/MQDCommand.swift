import ArgumentParser
import Foundation
import MxDevice
import MxGenerator
import MxSpecModel

/// `mxgpu mqd`: a queue's MQD, read from a dump or a simulated VF, member by member with each
/// register-typed member's fields (`vi_mqd` from the structure specs).
struct MQDCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mqd",
    abstract: "Decode an MQD (vi_mqd) member by member, each register-typed member by field.")

  @Argument(help: "A file holding the MQD (from --offset on).")
  var file: String?

  @Option(help: "Byte offset of the MQD in the file (decimal or 0x-prefixed).")
  var offset = "0"

  @Option(help: "On a simulated VF brought up with work: the MQD of this ring (kiq_2.1.0, comp_1.0.0, …).")
  var sim: String?

  @Option(name: .customLong("fault"), help: "With --sim: a fault to inject, as mxgpu-sim takes it (cp-dead=5).")
  var faults: [String] = []

  @Option(help: "The structure to decode with.")
  var structure = "vi_mqd"

  @Option(help: "Specs folder or file, for the structure and its registers (default: the built-in specs).")
  var specs: String?

  func run() async throws {
    try await reportingAsync {
      let (spec, diagnostics) = Generator().check(specsAt: specs)
      guard !diagnostics.hasErrors else { throw Failure("cannot read \(Generator.describe(specs: specs))") }
      guard let layout = spec.structures.first(where: { $0.name == structure }) else {
        throw Failure("no structure '\(structure)' in the specs")
      }
      let dwords: [UInt32]
      if let sim {
        let simulated = try await RingCommand.simulatedRings(faults: faults)
        guard let ring = simulated.rings.first(where: { $0.name == sim }) else {
          throw Failure("no ring '\(sim)' (there are: \(simulated.rings.map(\.name).joined(separator: ", ")))")
        }
        guard let address = ring.mqdAddress, let read = simulated.memory(address, layout.sizeInDwords) else {
          throw Failure("ring '\(sim)' has no MQD")
        }
        print("\(structure) of \(sim) at \(Hex.literal(address)):")
        dwords = read
      } else {
        guard let file else { throw Failure("give an MQD file, or --sim RING") }
        guard let data = FileManager.default.contents(atPath: file) else { throw Failure("cannot read \(file)") }
        let needed = layout.sizeInDwords * 4
        guard let offset = Hex.parse(offset).flatMap(Int.init(exactly:)) else {
          throw Failure("--offset takes a byte offset, not '\(self.offset)'")
        }
        guard offset % 4 == 0, data.count >= offset + needed else {
          throw Failure(
            "\(file) holds \(data.count) bytes: \(structure) needs \(needed) from byte \(offset) (a dword-aligned offset)"
          )
        }
        dwords = littleEndianDwords([UInt8](data)[offset..<offset + needed])
      }
      for line in StructureListing.lines(of: layout, dwords: dwords, in: spec) { print(line) }
    }
  }
}
