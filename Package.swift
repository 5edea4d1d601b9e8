// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// Modules generated from Specs/ into Generated/ by `swift run gen`: one folder per module
/// (one per IP block, plus the chips). Each folder holding Swift becomes a library target, so
/// the package follows what `gen` writes, and `gen` itself builds before anything is generated.
let generatedBlocks: [String] = {
  let root = Context.packageDirectory + "/Generated"
  let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
  return folders.sorted().filter { folder in
    let files = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
    return files.contains { $0.hasSuffix(".swift") }
  }
}()

let package = Package(
  name: "MxGPUKit",
  products: [
    .executable(name: "gen", targets: ["gen"]),
    .library(name: "MxMMIO", targets: ["MxMMIO"]),
    .library(name: "MxGenerator", targets: ["MxGenerator"]),
    .library(name: "MxVirtualization", targets: ["MxVirtualization"]),
    .library(name: "MxSimulator", targets: ["MxSimulator"]),
  ] + generatedBlocks.map { .library(name: $0, targets: [$0]) }
    + [.library(name: "MxGPURegisters", targets: generatedBlocks.filter { $0 != "MxChips" })],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // Pipeline: spec model → XML loader → validator → emitters → generator → CLI.
    .systemLibrary(
      name: "CLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .target(name: "MxSpecModel"),
    .target(name: "MxSpecLoader", dependencies: ["MxSpecModel", "CLibXML2"]),
    .target(name: "MxSpecValidator", dependencies: ["MxSpecModel"]),
    .target(name: "MxSwiftEmitter", dependencies: ["MxSpecModel"]),
    .target(name: "MxHeaderImport", dependencies: ["MxSpecModel"]),
    .target(
      name: "MxGenerator",
      dependencies: ["MxSpecModel", "MxSpecLoader", "MxSpecValidator", "MxSwiftEmitter", "MxHeaderImport"]
    ),
    .executableTarget(
      name: "gen",
      dependencies: [
        "MxGenerator", "MxSpecLoader", "MxSpecModel", "MxHeaderImport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // Runtime: register access on any bus, used by the generated modules; the guest side of
    // MxGPU on top of it; and a simulator of the host to run it against.
    .target(name: "MxMMIO", swiftSettings: [.enableExperimentalFeature("Volatile")]),
    .target(name: "MxVirtualization", dependencies: ["MxMMIO", "MxBIF50", "MxMailbox"]),
    .target(name: "MxSimulator", dependencies: ["MxMMIO", "MxBIF50", "MxMailbox"]),
    .executableTarget(
      name: "mailbox-latency", dependencies: ["MxSimulator", "MxVirtualization"], path: "Benchmarks/MailboxLatency"),
  ]
    + generatedBlocks.map {
      .target(name: $0, dependencies: ["MxMMIO"], path: "Generated/\($0)")
    }
    + [
      .testTarget(
        name: "MxGeneratorTests",
        dependencies: [
          "MxGenerator", "MxSpecLoader", "MxSpecValidator", "MxSpecModel", "MxSwiftEmitter", "MxHeaderImport", "gen",
        ]
      ),
      // The golden emitter output, compiled so that the tests can exercise every shape of it.
      .target(name: "MxDEMO12", dependencies: ["MxMMIO"], path: "Tests/Fixtures/Golden/expected/MxDEMO12"),
      .testTarget(
        name: "MxVirtualizationTests",
        dependencies: ["MxVirtualization", "MxSimulator", "MxMMIO", "MxBIF50", "MxMailbox"]
      ),
      .testTarget(
        name: "MxMMIOTests",
        dependencies: ["MxMMIO", "MxDEMO12"] + generatedBlocks.map { .byName(name: $0) }
      ),
    ]
)
