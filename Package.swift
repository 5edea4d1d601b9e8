// swift-tools-version: 6.1
import PackageDescription

/// Modules generated from Specs/ into Generated/ by `swift run gen`: one per IP block, plus the
/// chips, the mailbox messages, the PM4 packets, the memory structures, the interrupt sources,
/// the clear state, and the validated specs themselves (built into the tools). Listed here rather than read from the folder:
/// SwiftPM caches a manifest's evaluation by its text, so a listing would go stale. A test checks
/// that this list and Generated/ agree.
let generatedBlocks = [
  "MxBIF50", "MxBuiltInSpecs", "MxChips", "MxClearState", "MxDCE100", "MxGFX80", "MxGMC81", "MxInterruptSources",
  "MxMailbox", "MxOSS30", "MxPM4Packets", "MxRuntimeRegisters", "MxSharedEnums", "MxSMU713", "MxStructures",
]

/// Generated modules that are not register blocks.
let generatedNonBlocks: Set = [
  "MxBuiltInSpecs", "MxChips", "MxRuntimeRegisters", "MxClearState", "MxInterruptSources", "MxMailbox", "MxPM4Packets",
  "MxSharedEnums", "MxStructures",
]

/// What a generated module needs, when not only the register runtime (MxMMIO).
let generatedDependencies: [String: [Target.Dependency]] = [
  "MxBuiltInSpecs": [],
  "MxPM4Packets": ["MxMMIO", "MxPM4"],
  // The MQD's members are typed by the gfx_8_0 registers they mirror, which the runtime's own
  // register module holds.
  "MxStructures": ["MxMMIO", "MxMemory", "MxRuntimeRegisters"],
  // Blocks leave out, and re-export, the registers and enums the runtime's module declares, and
  // the enums they define alike with other blocks.
  "MxBIF50": ["MxMMIO", "MxRuntimeRegisters", "MxSharedEnums"],
  "MxGFX80": ["MxMMIO", "MxRuntimeRegisters", "MxSharedEnums"],
  "MxGMC81": ["MxMMIO", "MxRuntimeRegisters", "MxSharedEnums"],
  "MxOSS30": ["MxMMIO", "MxRuntimeRegisters", "MxSharedEnums"],
  "MxSMU713": ["MxMMIO", "MxRuntimeRegisters"],
]

let package = Package(
  name: "MxGPUKit",
  products: [
    .executable(name: "gen", targets: ["gen"]),
    .library(name: "MxMMIO", targets: ["MxMMIO"]),
    .library(name: "MxGenerator", targets: ["MxGenerator"]),
    .library(name: "MxVirtualization", targets: ["MxVirtualization"]),
    .library(name: "MxSimulator", targets: ["MxSimulator"]),
    .library(name: "MxPM4", targets: ["MxPM4"]),
    .library(name: "MxMemory", targets: ["MxMemory"]),
    .library(name: "MxKIQ", targets: ["MxKIQ"]),
    .library(name: "MxCSA", targets: ["MxCSA"]),
    .library(name: "MxIH", targets: ["MxIH"]),
    .library(name: "MxSubmission", targets: ["MxSubmission"]),
    .library(name: "MxVirtualFunction", targets: ["MxVirtualFunction"]),
    .library(name: "MxScenario", targets: ["MxScenario"]),
    .executable(name: "mxgpu-sim", targets: ["mxgpu-sim"]),
    .executable(name: "mxgpu", targets: ["mxgpu"]),
    .plugin(name: "MxGPUKitPlugin", targets: ["MxGPUKitPlugin"]),
    .plugin(name: "MxGPUKitGenerate", targets: ["MxGPUKitGenerate"]),
  ] + generatedBlocks.map { .library(name: $0, targets: [$0]) }
    + [.library(name: "MxGPURegisters", targets: generatedBlocks.filter { !generatedNonBlocks.contains($0) })],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation`: the DocC catalogs of the runtime modules.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // A lock ThreadSanitizer sees, for the pipeline's parallel load and the runtime's shared state.
    .target(name: "MxLock"),

    // Pipeline: spec model → XML loader → validator → emitters → generator → CLI.
    .systemLibrary(
      name: "CLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .target(name: "MxSpecModel", dependencies: ["MxLock"]),
    .target(name: "MxSpecLoader", dependencies: ["MxSpecModel", "MxLock", "CLibXML2"]),
    .target(name: "MxSpecValidator", dependencies: ["MxSpecModel"]),
    .target(name: "MxSwiftEmitter", dependencies: ["MxSpecModel"]),
    .target(name: "MxHeaderImport", dependencies: ["MxSpecModel"]),
    .target(
      name: "MxGenerator",
      dependencies: [
        "MxSpecModel", "MxSpecLoader", "MxSpecValidator", "MxSwiftEmitter", "MxHeaderImport", "MxBuiltInSpecs",
      ]
    ),
    // For consumer targets: `gen target` at build time, or into the source tree on request.
    .plugin(name: "MxGPUKitPlugin", capability: .buildTool(), dependencies: ["gen"]),
    .plugin(
      name: "MxGPUKitGenerate",
      capability: .command(
        intent: .custom(
          verb: "mxgpukit-generate",
          description: "Write each target's generated MxGPUKit Swift into its MxGPUKitGenerated/ folder"),
        permissions: [.writeToPackageDirectory(reason: "It writes the generated Swift into the targets' folders")]),
      dependencies: ["gen"]),
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
    .target(name: "MxPM4", dependencies: ["MxMMIO"]),
    .target(name: "MxMemory", dependencies: ["MxMMIO"], swiftSettings: [.enableExperimentalFeature("Volatile")]),
    .target(
      name: "MxKIQ",
      dependencies: ["MxMMIO", "MxMemory", "MxPM4", "MxPM4Packets", "MxStructures", "MxRuntimeRegisters"]),
    .target(name: "MxDevice", dependencies: ["MxMMIO"]),
    .target(name: "MxCSA", dependencies: ["MxMemory", "MxPM4", "MxPM4Packets", "MxStructures"]),
    .target(
      name: "MxVirtualization",
      dependencies: [
        "MxLock", "MxMMIO", "MxRuntimeRegisters", "MxMailbox", "MxInterruptSources", "MxKIQ",
      ]),
    .target(
      name: "MxSubmission",
      dependencies: [
        "MxLock", "MxKIQ", "MxMMIO", "MxMemory", "MxPM4", "MxPM4Packets", "MxRuntimeRegisters", "MxClearState", "MxCSA",
      ]),
    .target(
      name: "MxIH", dependencies: ["MxLock", "MxMMIO", "MxMemory", "MxRuntimeRegisters", "MxVirtualization"]),
    .target(
      name: "MxVirtualFunction",
      dependencies: [
        "MxVirtualization", "MxKIQ", "MxCSA", "MxMemory", "MxMMIO", "MxChips", "MxStructures", "MxRuntimeRegisters",
        "MxIH",
        "MxSubmission", "MxLock", "MxInterruptSources", "MxPM4Packets", "MxPM4", "MxClearState",
      ]),
    .target(
      name: "MxSimulator",
      dependencies: [
        "MxLock", "MxMMIO", "MxMemory", "MxPM4", "MxPM4Packets", "MxBIF50", "MxGFX80", "MxOSS30", "MxMailbox",
        "MxInterruptSources",
      ]),
    .target(
      name: "MxScenario",
      dependencies: [
        "MxVirtualFunction", "MxSimulator", "MxVirtualization", "MxKIQ", "MxMemory", "MxMMIO", "MxMailbox", "MxGFX80",
        "MxBIF50", "MxOSS30", "MxSubmission", "MxLock", "MxPM4", "MxPM4Packets", "MxInterruptSources",
      ]),
    .executableTarget(
      name: "mxgpu-sim",
      dependencies: [
        "MxScenario", "MxSimulator", "MxKIQ", "MxGenerator", "MxSpecModel", "MxDevice", "MxMemory",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "mxgpu",
      dependencies: [
        "MxDevice", "MxGenerator", "MxSpecModel", "MxSimulator", "MxScenario",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "pm4-encode", dependencies: ["MxPM4", "MxPM4Packets"], path: "Benchmarks/PM4Encode"),
    .executableTarget(
      name: "mailbox-latency", dependencies: ["MxSimulator", "MxVirtualization"], path: "Benchmarks/MailboxLatency"),
    .executableTarget(
      name: "vf-bring-up", dependencies: ["MxVirtualFunction", "MxSimulator", "MxScenario"],
      path: "Benchmarks/VFBringUp"),
    .executableTarget(
      name: "submission",
      dependencies: [
        "MxKIQ", "MxMMIO", "MxMemory", "MxPM4", "MxPM4Packets", "MxScenario", "MxSimulator", "MxSubmission",
        "MxVirtualFunction",
      ],
      path: "Benchmarks/Submission"),
    .executableTarget(
      name: "world-switch", dependencies: ["MxScenario", "MxSimulator", "MxVirtualFunction"],
      path: "Benchmarks/WorldSwitch"),
    .executableTarget(
      name: "kiq-access", dependencies: ["MxKIQ", "MxSimulator", "MxMemory", "MxStructures", "MxGFX80", "MxMMIO"],
      path: "Benchmarks/KIQAccess"),
  ]
    + generatedBlocks.map {
      .target(name: $0, dependencies: generatedDependencies[$0] ?? ["MxMMIO"], path: "Generated/\($0)")
    }
    + [
      .testTarget(
        name: "MxGeneratorTests",
        dependencies: [
          "MxGenerator", "MxSpecLoader", "MxSpecValidator", "MxSpecModel", "MxSwiftEmitter", "MxHeaderImport", "gen",
          "TestSupport",
        ]
      ),
      // The golden emitter output, compiled so that the tests can exercise every shape of it.
      .target(name: "MxDEMO12", dependencies: ["MxMMIO"], path: "Tests/Fixtures/Golden/expected/MxDEMO12"),
      .testTarget(name: "MxPM4Tests", dependencies: ["MxPM4", "MxPM4Packets", "MxMMIO", "MxGenerator"]),
      .testTarget(
        name: "MxVirtualizationTests",
        dependencies: [
          "MxVirtualization", "MxSimulator", "MxMMIO", "MxBIF50", "MxMailbox", "MxKIQ", "MxMemory", "MxStructures",
          "MxGFX80", "MxLock",
        ]
      ),
      .testTarget(
        name: "MxMemoryTests", dependencies: ["MxMemory", "MxStructures", "MxMMIO", "MxGFX80", "MxSimulator"]),
      .testTarget(
        name: "MxKIQTests",
        dependencies: [
          "MxKIQ", "MxMemory", "MxMMIO", "MxPM4", "MxPM4Packets", "MxSimulator", "MxStructures", "MxGFX80", "MxOSS30",
          "MxRuntimeRegisters",
        ]),
      .testTarget(
        name: "MxVirtualFunctionTests",
        dependencies: [
          "MxVirtualFunction", "MxVirtualization", "MxSimulator", "MxKIQ", "MxMemory", "MxMMIO", "MxChips", "MxGFX80",
          "MxCSA", "MxScenario", "MxBIF50", "MxMailbox", "MxSubmission",
        ]),
      .target(name: "TestSupport", path: "Tests/TestSupport"),
      .testTarget(name: "MxLockTests", dependencies: ["MxLock"]),
      .testTarget(
        name: "MxIHTests",
        dependencies: [
          "MxIH", "MxInterruptSources", "MxKIQ", "MxLock", "MxMMIO", "MxBIF50", "MxOSS30", "MxSimulator",
          "MxVirtualization",
        ]),
      .testTarget(
        name: "MxSimulatorTests",
        dependencies: [
          "MxSimulator", "MxInterruptSources", "MxLock", "MxMMIO", "MxMemory", "MxPM4", "MxPM4Packets", "MxGFX80",
          "MxOSS30", "MxKIQ", "MxSubmission", "MxClearState", "MxCSA",
        ]),
      .testTarget(
        name: "MxSubmissionTests",
        dependencies: [
          "MxSubmission", "MxSimulator", "MxMemory", "MxPM4", "MxPM4Packets", "MxBIF50", "MxGFX80", "MxGMC81",
          "MxOSS30", "MxKIQ", "MxMMIO", "MxClearState",
        ]),
      .testTarget(
        name: "MxDeviceTests",
        dependencies: ["MxDevice", "mxgpu", "mxgpu-sim", "gen", "TestSupport", "MxStructures", "MxGFX80", "MxMMIO"]),
      .testTarget(
        name: "MxScenarioTests", dependencies: ["MxScenario", "MxKIQ", "MxMailbox", "mxgpu-sim", "TestSupport"]),
      .testTarget(
        name: "MxCSATests", dependencies: ["MxCSA", "MxMemory", "MxPM4", "MxPM4Packets", "MxSimulator"]),
      .testTarget(
        name: "MxMMIOTests",
        dependencies: ["MxMMIO", "MxDEMO12"] + generatedBlocks.map { .byName(name: $0) }
      ),
    ]
)
