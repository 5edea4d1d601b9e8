import Foundation
import MxGenerator
import MxSwiftEmitter
import XCTest

final class OutputTests: XCTestCase {
  func testGenerationIsDeterministic() throws {
    let first = try XCTUnwrap(Generator().generate(specsAt: Fixtures.packageSpecs).files)
    let second = try XCTUnwrap(Generator().generate(specsAt: Fixtures.packageSpecs).files)
    XCTAssertFalse(first.isEmpty)
    XCTAssertEqual(first, second)

    let a = try Fixtures.temporaryFolder()
    let b = try Fixtures.temporaryFolder()
    try OutputFolder(path: a).write(first)
    try OutputFolder(path: b).write(second)
    XCTAssertEqual(Fixtures.snapshot(a), Fixtures.snapshot(b))
  }

  func testCommittedGeneratedFolderIsUpToDate() throws {
    let files = try XCTUnwrap(Generator().generate(specsAt: Fixtures.packageSpecs).files)
    let generated = URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent()
      .appendingPathComponent("Generated").path
    XCTAssertEqual(OutputFolder(path: generated).differences(from: files), [])
  }

  func testWriteKeepsForeignFilesAndRemovesStaleGeneratedOnes() throws {
    let folder = try Fixtures.temporaryFolder()
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: folder + "/NOTES.md"))
    let stale = GeneratedFile(path: "Old/Gone.swift", contents: GeneratedFile.banner + "\n")
    try OutputFolder(path: folder).write([stale])
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/Old/Gone.swift"))

    let fresh = GeneratedFile(path: "New/Here.swift", contents: GeneratedFile.banner + "\nlet x = 1\n")
    try OutputFolder(path: folder).write([fresh])
    XCTAssertEqual(
      Fixtures.snapshot(folder),
      [
        "NOTES.md": Data("keep me\n".utf8),
        "New": Data("<dir>".utf8),
        "New/Here.swift": Data(fresh.contents.utf8),
      ])
  }

  func testFailedWriteLeavesFolderUntouched() throws {
    let folder = try Fixtures.temporaryFolder()
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: folder + "/NOTES.md"))
    let before = Fixtures.snapshot(folder)
    // The second file's folder would have to be inside a regular file: the write fails midway.
    let files = [
      GeneratedFile(path: "A/One.swift", contents: GeneratedFile.banner + "\n"),
      GeneratedFile(path: "NOTES.md/Two.swift", contents: GeneratedFile.banner + "\n"),
    ]
    XCTAssertThrowsError(try OutputFolder(path: folder).write(files))
    XCTAssertEqual(Fixtures.snapshot(folder), before)
    let parent = (folder as NSString).deletingLastPathComponent
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent).filter {
      $0.hasPrefix("." + (folder as NSString).lastPathComponent + ".")
    }
    XCTAssertEqual(leftovers, [], "staging folders left behind")
  }

  func testStaleOutputIsReported() throws {
    let files = try XCTUnwrap(Generator().generate(specsAt: Fixtures.golden + "/spec.xml").files)
    let folder = try Fixtures.temporaryFolder()
    try OutputFolder(path: folder).write(files)
    XCTAssertEqual(OutputFolder(path: folder).differences(from: files), [])

    let changed = files[0].path
    try Data("// edited\n".utf8).write(to: URL(fileURLWithPath: folder + "/" + changed))
    try Data((GeneratedFile.banner + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/Extra.swift"))
    XCTAssertEqual(
      OutputFolder(path: folder).differences(from: files),
      [.changed(folder + "/" + changed), .stale(folder + "/Extra.swift")])
  }
}

final class PackageManifestTests: XCTestCase {
  /// Package.swift lists the generated modules by hand (SwiftPM caches manifests by their text);
  /// the list must name exactly the folders `gen` writes.
  func testManifestListsEveryGeneratedModule() throws {
    let root = URL(fileURLWithPath: Fixtures.packageSpecs).deletingLastPathComponent()
    let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let list = try XCTUnwrap(manifest.range(of: "let generatedBlocks = [").map { manifest[$0.upperBound...] })
    let listed = Set(
      list.prefix { $0 != "]" }.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map {
        String($0.element)
      })
    let files = try XCTUnwrap(Generator().generate(specsAt: Fixtures.packageSpecs).files)
    let modules = Set(files.map { String($0.path.prefix { $0 != "/" }) })
    XCTAssertEqual(listed, modules)
  }
}
