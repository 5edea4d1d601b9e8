import Foundation
import MxGenerator
import MxSpecModel

// libFuzzer target for the spec pipeline: the input is one spec file, loaded from a folder of its
// own (so includes are confined to it) and run through load, schema, validation and, when it is
// valid, every emitter and the JSON export. Crashes, hangs and sanitizer reports are failures;
// so is output produced despite errors, or an error that names no file.

/// The folder the input is written into; `part.xml` beside it gives includes a target.
private let workFolder: String = {
  let folder = NSTemporaryDirectory() + "mxgpukit-fuzz-spec-\(getpid())"
  try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  let part = """
    <?xml version="1.0"?>
    <spec format="1"><block name="part" version="1.0"><register name="R" offset="0x10">\
    <field name="F" bits="3:0"/></register></block></spec>
    """
  try? Data(part.utf8).write(to: URL(fileURLWithPath: folder + "/part.xml"))
  return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = workFolder + "/input.xml"
  let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
  guard FileManager.default.createFile(atPath: input, contents: bytes) else { fatalError("cannot write \(input)") }
  let output = Generator().generate(specsAt: input)
  if output.diagnostics.hasErrors {
    precondition(output.files == nil, "files generated despite errors")
    for error in output.diagnostics.errors {
      precondition(error.location != nil, "unlocated error: \(error)")
    }
  } else {
    precondition(output.files != nil, "no files and no error")
    _ = try? SpecExport.json(output.spec)
  }
  return 0
}
