import Foundation

/// The last step of an atomic folder write, shared by `OutputFolder` and `ReferenceFolder`: the
/// new contents were built aside in `staging`; swap them in for `target` by rename, keeping the
/// old folder until the new one is in place and putting it back if the swap fails.
enum FolderSwap {
  /// Hidden folders next to `target`, unique to this process and call: where the new contents
  /// are built, and where the old ones wait during the swap.
  static func asideFolders(for target: URL) -> (staging: URL, backup: URL) {
    let parent = target.deletingLastPathComponent()
    let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    return (
      parent.appendingPathComponent(".\(target.lastPathComponent).staging-\(token)"),
      parent.appendingPathComponent(".\(target.lastPathComponent).previous-\(token)")
    )
  }

  static func replace(_ target: URL, with staging: URL, backup: URL) throws {
    let fm = FileManager.default
    guard fm.fileExists(atPath: target.path) else {
      try fm.moveItem(at: staging, to: target)
      return
    }
    try fm.moveItem(at: target, to: backup)
    do {
      try fm.moveItem(at: staging, to: target)
    } catch {
      try? fm.moveItem(at: backup, to: target)
      throw error
    }
    try? fm.removeItem(at: backup)
  }
}
