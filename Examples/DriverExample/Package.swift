// swift-tools-version: 6.0
// A driver-side consumer of MxGPUKit, depending on it as a package (here by path).
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
        .product(name: "MxMMIO", package: kit),
        .product(name: "MxBIF50", package: kit),
        .product(name: "MxChips", package: kit),
      ]
    )
  ]
)
