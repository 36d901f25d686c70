/// A plain-data value decoded from a Python pickle by ``PickleReader``.
///
/// Python 2 `str` (the `STRING`/`BINSTRING` opcodes) and `unicode` both become ``string(_:)``;
/// only Python 3 `bytes` become ``bytes(_:)``. A `dict` keeps its insertion order.
public enum PickleValue: Sendable, Equatable {
  case none
  case bool(Bool)
  /// Python `int` (and Python 2 `long`) within `Int64`; larger integers are refused.
  case int(Int64)
  case float(Double)
  case string(String)
  case bytes([UInt8])
  case list([PickleValue])
  case tuple([PickleValue])
  case dict([Entry])

  /// One key/value pair of a ``PickleValue/dict(_:)``.
  public struct Entry: Sendable, Equatable {
    public var key: PickleValue
    public var value: PickleValue

    public init(key: PickleValue, value: PickleValue) {
      self.key = key
      self.value = value
    }
  }
}

extension PickleValue {
  /// The value stored under the string key `key` of a dict; nil for other values or a missing key.
  public subscript(key: String) -> PickleValue? {
    guard case .dict(let entries) = self else { return nil }
    for entry in entries where entry.key == .string(key) { return entry.value }
    return nil
  }

  /// The integer of an ``int(_:)`` (a `bool` is not an integer here).
  public var intValue: Int64? {
    if case .int(let value) = self { return value }
    return nil
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The elements of a ``list(_:)`` or a ``tuple(_:)``.
  public var elements: [PickleValue]? {
    switch self {
    case .list(let values), .tuple(let values): values
    default: nil
    }
  }

  /// The Python type name, for error messages.
  public var typeName: String {
    switch self {
    case .none: "None"
    case .bool: "bool"
    case .int: "int"
    case .float: "float"
    case .string: "str"
    case .bytes: "bytes"
    case .list: "list"
    case .tuple: "tuple"
    case .dict: "dict"
    }
  }
}
