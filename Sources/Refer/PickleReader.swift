import Foundation

/// Decodes Python pickles of plain data — the `refs(<splitBy>).p` files of the `refer` toolkit —
/// without ever importing or calling anything.
///
/// Supported: protocols 0 to 5 as far as they encode `None`, `bool`, `int` within `Int64`, `float`,
/// `str`/`unicode`, `bytes`, `list`, `tuple` and `dict`: `PROTO`, `FRAME`, `STOP`, `MARK`,
/// `NONE`, `NEWTRUE`, `NEWFALSE`, `INT`, `BININT`, `BININT1`, `BININT2`, `LONG`, `LONG1`, `LONG4`,
/// `FLOAT`, `BINFLOAT`, `STRING`, `BINSTRING`, `SHORT_BINSTRING`, `UNICODE`, `BINUNICODE`,
/// `SHORT_BINUNICODE`, `BINUNICODE8`, `BINBYTES`, `SHORT_BINBYTES`, `BINBYTES8`, `EMPTY_LIST`,
/// `LIST`, `APPEND`, `APPENDS`, `EMPTY_DICT`, `DICT`, `SETITEM`, `SETITEMS`, `EMPTY_TUPLE`,
/// `TUPLE`, `TUPLE1`-`TUPLE3`, `PUT`, `BINPUT`, `LONG_BINPUT`, `MEMOIZE`, `GET`, `BINGET`,
/// `LONG_BINGET`. Every other opcode (`GLOBAL`, `REDUCE`, `BUILD`, `INST`, `OBJ`, `NEWOBJ`,
/// `EXT*`, sets, buffers, ...) is refused with an error naming it and its offset.
///
/// Python 2 `str` is decoded as UTF-8, or as Latin-1 when it is not valid UTF-8 (what
/// `pickle.load(f, encoding="latin1")` would give). Bytes after `STOP` are ignored, as in Python.
/// Memory stays proportional to the input: length prefixes are checked against the bytes that
/// are left, the stack and the nesting depth are capped, and a result that shares memoised
/// containers may not grow beyond ``Limits/maxExpansion`` values per input byte.
public struct PickleReader: Sendable {
  public struct Limits: Sendable, Equatable {
    /// Deepest nesting of containers, and of open marks.
    public var maxDepth: Int
    /// Most values on the unpickling stack at once.
    public var maxStack: Int
    /// Most values in the result per input byte (shared memo references are counted each time).
    public var maxExpansion: Int

    public init(maxDepth: Int = 100, maxStack: Int = 1 << 20, maxExpansion: Int = 8) {
      self.maxDepth = maxDepth
      self.maxStack = maxStack
      self.maxExpansion = maxExpansion
    }
  }

  public var limits: Limits

  public init(limits: Limits = Limits()) {
    self.limits = limits
  }

  /// Decodes `bytes`; `file` only names the source in errors.
  public func read(_ bytes: [UInt8], file: String? = nil) throws(PickleError) -> PickleValue {
    var machine = PickleMachine(input: bytes, file: file, limits: limits)
    return try machine.run()
  }

  /// Reads and decodes the file at `path`.
  public func read(contentsOfFile path: String) throws(PickleError) -> PickleValue {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw PickleError(.unreadable, file: path, offset: 0, "cannot read the file: \(error)")
    }
    return try read([UInt8](data), file: path)
  }
}
