import ArgumentParser
import Foundation
import MxDevice
import MxGenerator
import MxScenario
import MxSimulator
import MxSpecModel

/// `mxgpu ring NAME`: a ring read as amdgpu's debugfs file `amdgpu_ring_<name>`, decoded from the
/// read pointer to the write pointer with what lies before as history, the indirect buffers it
/// names followed where their memory can be read; `--all` lists the rings.
struct RingCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ring",
    abstract: "Decode a ring as amdgpu's debugfs shows it (amdgpu_ring_<name>), or list the rings.",
    discussion: """
      The ring's three pointers come first, then its packets: the history before the read pointer, \
      what the CP has still to run up to the write pointer, and what the driver wrote that the CP \
      has not seen. Packets are decoded leniently (a hung ring holds what the specs have no layout for); \
      the registers they touch are named; an indirect buffer is followed when a --memory dump holds it \
      (or on --sim). `mxgpu-sim --debugfs DIR --steps bring-up,work` writes such files.
      """)

  @Argument(help: "The ring: gfx, kiq_2.1.0, comp_1.0.0, … (the file amdgpu_ring_<name>), or a ring file's path.")
  var name: String?

  @Option(help: "The device's debugfs folder, or any folder of ring files.")
  var debugfs = "/sys/kernel/debug/dri/0"

  @Flag(help: "A simulated VF, brought up and given work (its GPU memory is read for indirect buffers).")
  var sim = false

  @Option(name: .customLong("fault"), help: "With --sim: a fault to inject, as mxgpu-sim takes it (cp-dead=5).")
  var faults: [String] = []

  @Flag(help: "List the rings with their pointers.")
  var all = false

  @Option(help: "How many dwords before the read pointer to show as history.")
  var history = 256

  @Option(
    name: .customLong("memory"),
    help: "FILE@ADDRESS: a dump of GPU memory from ADDRESS on, where indirect buffers are read (repeatable).")
  var memories: [String] = []

  @Flag(help: "Leave out the registers packets set, copy and wait on.")
  var noRegisters = false

  @Flag(help: "Print JSON.")
  var json = false

  @Option(help: "Specs folder or file, for packets and registers (default: the built-in specs).")
  var specs: String?

  func run() async throws {
    try await reportingAsync {
      let simulated = sim ? try await Self.simulatedRings(faults: faults) : nil
      guard history >= 0 else { throw Failure("--history takes a number of dwords, 0 or more") }
      if !all, simulated == nil, let name, let ring = try file(name) {
        try show(ring, memory: try memory())
        return
      }
      let rings = try simulated?.rings ?? files()
      if all {
        try list(rings)
        return
      }
      guard let name else { throw Failure("name a ring (or give --all)") }
      guard let ring = rings.first(where: { $0.name == name }) else {
        throw Failure("no ring '\(name)' (there are: \(rings.map(\.name).joined(separator: ", ")))")
      }
      try show(ring, memory: try simulated?.memory ?? memory())
    }
  }

  // MARK: Where rings come from

  struct NamedRing {
    var name: String
    var dump: RingDump
    var mqdAddress: UInt64?
  }

  /// The rings of a VF of the simulator, brought up with work on each of them, with `faults`
  /// (`mxgpu-sim --fault`'s) injected; its memory for the buffers and MQDs they name.
  static func simulatedRings(faults: [String]) async throws -> (rings: [NamedRing], memory: RingListing.Memory) {
    let timeline: Timeline
    do {
      let faults = try faults.map { (text) throws(ScenarioSyntaxError) in try ScenarioFault(text) }
      let steps = [Scenario.Step(.bringUp), Scenario.Step(.work)]
      timeline = try await Scenario(chip: .tonga, functions: 1, faults: faults, steps: steps).run()
    } catch {
      throw Failure(error.description)
    }
    let memory = timeline.memories[0]
    let rings = timeline.rings[0].map {
      NamedRing(
        name: $0.name,
        dump: RingDump(
          readPointer: $0.readPointer, writePointer: $0.writePointer, driverWritePointer: $0.driverWritePointer,
          dwords: $0.dwords),
        mqdAddress: $0.mqdAddress)
    }
    return (
      rings,
      { address, dwords in
        memory.withBytes(at: address, count: dwords * 4, writing: false) {
          Array($0.bindMemory(to: UInt32.self))
        }
      }
    )
  }

  /// Every `amdgpu_ring_*` file of the debugfs folder.
  private func files() throws -> [NamedRing] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: debugfs) else {
      throw Failure("cannot list \(debugfs) (give --debugfs: the device's debugfs folder, /sys/kernel/debug/dri/N)")
    }
    return try names.filter { $0.hasPrefix("amdgpu_ring_") }.sorted().map { file in
      NamedRing(name: String(file.dropFirst("amdgpu_ring_".count)), dump: try read(debugfs + "/" + file))
    }
  }

  /// `text` as a path to a ring file, if there is a file there.
  private func file(_ text: String) throws -> NamedRing? {
    guard FileManager.default.fileExists(atPath: text) else { return nil }
    let base = URL(fileURLWithPath: text).lastPathComponent
    return NamedRing(
      name: base.hasPrefix("amdgpu_ring_") ? String(base.dropFirst("amdgpu_ring_".count)) : base, dump: try read(text))
  }

  private func read(_ path: String) throws -> RingDump {
    guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
    do {
      return try RingDump(bytes: [UInt8](data), name: path)
    } catch {
      throw Failure(error.description)
    }
  }

  /// The `--memory` dumps, as one reader.
  private func memory() throws -> RingListing.Memory? {
    guard !memories.isEmpty else { return nil }
    let dumps = try memories.map { text -> (base: UInt64, bytes: [UInt8]) in
      guard let at = text.lastIndex(of: "@"), let base = Hex.parse(String(text[text.index(after: at)...])) else {
        throw Failure("--memory takes FILE@ADDRESS (the GPU address of the dump's first byte), not '\(text)'")
      }
      let path = String(text[..<at])
      guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
      return (base, [UInt8](data))
    }
    return { address, dwords in
      let bytes = UInt64(dwords) * 4
      guard let dump = dumps.first(where: { address >= $0.base && address - $0.base + bytes <= UInt64($0.bytes.count) })
      else { return nil }
      let start = Int(address - dump.base)
      return littleEndianDwords(dump.bytes[start..<start + Int(bytes)])
    }
  }

  // MARK: Output

  private func list(_ rings: [NamedRing]) throws {
    if json {
      try printJSON(rings.map { RingSummaryJSON(name: $0.name, dump: $0.dump) })
      return
    }
    for ring in rings {
      let dump = ring.dump
      print(
        "\(ring.name): \(dump.dwords.count) dwords; read pointer \(dump.readPointer), write pointer "
          + "\(dump.writePointer), driver's write pointer \(dump.driverWritePointer); \(dump.pendingDwords) to run")
    }
  }

  private func show(_ ring: NamedRing, memory: RingListing.Memory?) throws {
    let (spec, diagnostics) = Generator().check(specsAt: specs)
    guard !diagnostics.hasErrors, let set = spec.packetSets.first(where: { $0.name == "pm4_vi" }) else {
      throw Failure("cannot read the packets of \(Generator.describe(specs: specs))")
    }
    let registers = noRegisters ? nil : Optional(PacketRegisters(spec: spec)).flatMap { $0.isEmpty ? nil : $0 }
    let dump = ring.dump
    let listing = RingListing(
      ring: dump.dwords, readPointer: Int(dump.readPointer), writePointer: Int(dump.writePointer),
      driverWritePointer: Int(dump.driverWritePointer), history: history,
      disassembler: PacketDisassembler(set: set, in: spec), registers: registers, memory: memory)
    if json {
      try printJSON(RingListingJSON(name: ring.name, listing: listing))
    } else {
      for line in listing.lines(name: ring.name) { print(line) }
    }
  }

  private func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
  }
}

/// A ring in `--all --json`.
struct RingSummaryJSON: Encodable {
  var name: String
  var dwords, readPointer, writePointer, driverWritePointer, pendingDwords: Int

  init(name: String, dump: RingDump) {
    self.name = name
    (dwords, readPointer, writePointer) = (dump.dwords.count, Int(dump.readPointer), Int(dump.writePointer))
    (driverWritePointer, pendingDwords) = (Int(dump.driverWritePointer), dump.pendingDwords)
  }
}

/// A ring's listing in `--json`: the pointers, then every entry with its region and text.
struct RingListingJSON: Encodable {
  struct Entry: Encodable {
    var region: String
    var position: Int
    var text: String
    var pads: Int?
    var registers: [String]?
    var indirectBuffer: Buffer?
  }

  struct Buffer: Encodable {
    var address: UInt64
    var dwords: Int
    var entries: [Entry]?
  }

  var name: String
  var dwords, readPointer, writePointer, driverWritePointer, historyDwords: Int
  var entries: [Entry]

  init(name: String, listing: RingListing) {
    self.name = name
    (dwords, readPointer, writePointer) = (listing.ringDwords, listing.readPointer, listing.writePointer)
    (driverWritePointer, historyDwords) = (listing.driverWritePointer, listing.historyDwords)
    entries = listing.entries.map(Self.entry)
  }

  private static func entry(_ entry: RingListing.Entry) -> Entry {
    Entry(
      region: entry.region.rawValue, position: entry.position,
      text: entry.line,
      pads: entry.pads > 0 ? entry.pads : nil,
      registers: entry.registers.isEmpty ? nil : entry.registers.map(\.line),
      indirectBuffer: entry.indirectBuffer.map {
        Buffer(address: $0.address, dwords: $0.dwords, entries: $0.entries?.map(Self.entry))
      })
  }
}
