// swift-tools-version: 6.0
// A driver-side consumer of MxGPUKit, depending on it as a package (here by path), with the
// build plugin generating just the registers, packets and messages it uses (mxgpukit.subset)
// and a register of its own (Handshake.xml).
import Foundation
import PackageDescription

// A path dependency's package identity is its folder name, whatever the checkout is called.
let kit = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../..").standardizedFileURL
  .lastPathComponent

let package = Package(
  name: "DriverExample",
  dependencies: [.package(path: "../..")],
  targets: [
    .executableTarget(
      name: "DriverExample",
      dependencies: [
        .product(name: "MxMMIO", package: kit),  // every register needs it
        .product(name: "MxPM4", package: kit),  // for the packets
        .product(name: "MxSimulator", package: kit),  // a VF to run against
      ],
      plugins: [.plugin(name: "MxGPUKitPlugin", package: kit)]
    )
  ]
)
