import Foundation
import MxGenerator
import MxSpecModel

/// Paths of the shared test fixtures in Tests/Fixtures.
enum Fixtures {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path

  static let badSpecs = root + "/BadSpecs"
  static let golden = root + "/Golden"
  /// PM4 streams as little-endian binary dwords, valid and broken: `gen decode` and fuzzing seeds.
  static let pm4Corpus = root + "/PM4Corpus"

  /// The package's own Specs/ folder.
  static let packageSpecs = URL(fileURLWithPath: root).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Specs").path

  /// Specs/ loaded and validated once for every test that reads it: each load is a second in a
  /// debug build and several under ThreadSanitizer.
  static let packageSpec: (spec: Spec, diagnostics: Diagnostics) = Generator().check(specsAt: packageSpecs)

  /// The package's own Generated/ folder.
  static let packageGenerated = URL(fileURLWithPath: packageSpecs).deletingLastPathComponent()
    .appendingPathComponent("Generated").path

  static func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "mxgpukit-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Every file below `folder` with its bytes, by relative path.
  static func snapshot(_ folder: String) -> [String: Data] {
    var result: [String: Data] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return result }
    while let relative = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory) {
        result[relative] =
          isDirectory.boolValue ? Data("<dir>".utf8) : FileManager.default.contents(atPath: folder + "/" + relative)
      }
    }
    return result
  }
}
