/// Why migrating stopped: a stable `code`, the file (or directory) concerned, and what is wrong.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let missingDirectory = Code("missing-directory")
    public static let badName = Code("bad-name")
    public static let duplicateVersion = Code("duplicate-version")
    public static let gap = Code("gap")
    public static let unreadable = Code("unreadable")
    /// An applied file was edited.
    public static let modified = Code("modified")
    /// An applied file is no longer in the directory.
    public static let missingFile = Code("missing-file")
    /// A file's SQL failed; nothing of this run was applied.
    public static let failed = Code("failed")
  }

  public var code: Code
  /// The migration file (or directory) concerned.
  public var subject: String
  public var message: String

  public init(_ code: Code, _ subject: String, _ message: String) {
    self.code = code
    self.subject = subject
    self.message = message
  }

  public var description: String { "migration \(code): \(subject): \(message)" }
}
