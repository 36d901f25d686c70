/// The unpickling machine behind ``PickleReader``.
///
/// Lists, dicts and tuples live in `containers` and are referred to by index, so that a memo
/// `GET` returns the same (still growing) container as Python would, not a snapshot taken at
/// `PUT` time. The result is built from that graph at `STOP`.
struct PickleMachine {
  enum Item {
    case value(PickleValue)
    case container(Int)
  }

  struct Container {
    enum Kind { case list, tuple, dict }
    var kind: Kind
    /// Elements; for a dict, key and value alternate.
    var items: [Item]
    /// For a dict: its keys in order, and once it is larger than a few keys, an index from key to
    /// position in `keys` (small dicts, like every dict of a refs file, are searched linearly).
    var keys: [HashKey] = []
    var keyIndex: [HashKey: Int]? = nil
  }

  /// A dict key as Python compares them: `True == 1 == 1.0`, tuples by their elements.
  indirect enum HashKey: Hashable {
    case none
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([HashKey])
  }

  let input: [UInt8]
  let file: String?
  let limits: PickleReader.Limits
  var position = 0
  /// Offset and opcode being executed, for errors.
  var opcodeOffset = 0
  var opcodeName = "start"
  var stack: [Item] = []
  /// Stack heights at each open MARK.
  var marks: [Int] = []
  /// Memo slots 0..<count, as Python's pickler numbers them; other indices go to `sparseMemo`.
  var memo: [Item] = []
  var sparseMemo: [Int: Item] = [:]
  var containers: [Container] = []

  init(input: [UInt8], file: String?, limits: PickleReader.Limits) {
    self.input = input
    self.file = file
    self.limits = limits
  }

  func error(_ code: PickleError.Code, _ detail: String) -> PickleError {
    PickleError(code, file: file, offset: opcodeOffset, "\(opcodeName): \(detail)")
  }

  mutating func run() throws(PickleError) -> PickleValue {
    while true {
      opcodeOffset = position
      guard position < input.count else {
        opcodeName = "end of input"
        throw error(.truncated, "the pickle ends without a STOP opcode")
      }
      let byte = input[position]
      position += 1
      guard let opcode = PickleOpcode(rawValue: byte) else {
        opcodeName = "byte " + hex(byte)
        throw error(.unknownOpcode, "not a pickle opcode")
      }
      opcodeName = opcode.name
      if opcode == .stop {
        guard marks.isEmpty, stack.count == 1 else {
          throw error(
            .badStack,
            "expected exactly one value on the stack and no open MARK, found \(stack.count) values "
              + "and \(marks.count) marks")
        }
        return try build(stack[0])
      }
      try execute(opcode)
    }
  }

  mutating func execute(_ opcode: PickleOpcode) throws(PickleError) {
    switch opcode {
    case .proto:
      let version = try readByte()
      guard version <= 5 else { throw error(.malformed, "unknown protocol \(version)") }
    case .frame:
      // Only a read-ahead hint; the opcodes inside follow as usual.
      let length = try readUnsigned(8)
      guard length <= UInt64(input.count - position) else {
        throw error(.truncated, "frame of \(length) bytes, only \(input.count - position) left")
      }
    case .mark:
      guard marks.count < limits.maxDepth else {
        throw error(.tooDeep, "more than \(limits.maxDepth) open marks")
      }
      marks.append(stack.count)
    case .none: try push(.value(.none))
    case .newTrue: try push(.value(.bool(true)))
    case .newFalse: try push(.value(.bool(false)))
    case .binInt: try push(.value(.int(Int64(Int32(bitPattern: UInt32(try readUnsigned(4)))))))
    case .binInt1: try push(.value(.int(Int64(try readUnsigned(1)))))
    case .binInt2: try push(.value(.int(Int64(try readUnsigned(2)))))
    case .long1: try push(.value(.int(try readLong(count: Int(try readUnsigned(1))))))
    case .long4:
      let count = Int32(bitPattern: UInt32(try readUnsigned(4)))
      guard count >= 0 else { throw error(.malformed, "negative byte count \(count)") }
      try push(.value(.int(try readLong(count: Int(count)))))
    case .binFloat:
      try push(.value(.float(Double(bitPattern: try readUnsigned(8).byteSwapped))))
    case .int: try push(.value(try parseTextInt(try readLine())))
    case .long: try push(.value(.int(try parseTextLong(try readLine()))))
    case .float: try push(.value(.float(try parseTextFloat(try readLine()))))
    case .string: try push(.value(.string(legacyString(try parseQuotedString(try readLine())))))
    case .unicode: try push(.value(.string(try decodeRawUnicodeEscape(try readLine()))))
    case .shortBinString:
      try push(.value(.string(legacyString(try readBytes(try readUnsigned(1))))))
    case .binString:
      let length = Int32(bitPattern: UInt32(try readUnsigned(4)))
      guard length >= 0 else { throw error(.malformed, "negative length \(length)") }
      try push(.value(.string(legacyString(try readBytes(UInt64(length))))))
    case .shortBinUnicode: try push(.value(.string(try utf8(try readBytes(try readUnsigned(1))))))
    case .binUnicode: try push(.value(.string(try utf8(try readBytes(try readUnsigned(4))))))
    case .binUnicode8: try push(.value(.string(try utf8(try readBytes(try readUnsigned(8))))))
    case .shortBinBytes: try push(.value(.bytes(Array(try readBytes(try readUnsigned(1))))))
    case .binBytes: try push(.value(.bytes(Array(try readBytes(try readUnsigned(4))))))
    case .binBytes8: try push(.value(.bytes(Array(try readBytes(try readUnsigned(8))))))
    case .emptyList: try push(newContainer(.list, []))
    case .emptyDict: try push(newContainer(.dict, []))
    case .emptyTuple: try push(.value(.tuple([])))
    case .list: try push(newContainer(.list, try popToMark()))
    case .tuple: try push(newContainer(.tuple, try popToMark()))
    case .tuple1, .tuple2, .tuple3:
      let count = Int(opcode.rawValue - PickleOpcode.tuple1.rawValue) + 1
      try push(newContainer(.tuple, try pop(count)))
    case .dict:
      let items = try popToMark()
      let index = containers.count
      containers.append(Container(kind: .dict, items: []))
      try setItems(items, in: index)
      try push(.container(index))
    case .append: append(try pop(1), to: try top(.list))
    case .appends:
      let items = try popToMark()
      append(items, to: try top(.list))
    case .setItem:
      let pair = try pop(2)
      try setItems(pair, in: try top(.dict))
    case .setItems:
      let items = try popToMark()
      try setItems(items, in: try top(.dict))
    case .put: try store(at: try parseIndex(try readLine()))
    case .binPut: try store(at: Int(try readUnsigned(1)))
    case .longBinPut: try store(at: Int(try readUnsigned(4)))
    case .memoize: try store(at: memo.count + sparseMemo.count)
    case .get: try push(try fetch(try parseIndex(try readLine())))
    case .binGet: try push(try fetch(Int(try readUnsigned(1))))
    case .longBinGet: try push(try fetch(Int(try readUnsigned(4))))
    case .stop: break  // handled by run()
    default:
      let byte = hex(opcode.rawValue)
      if opcode.runsCode {
        throw error(
          .unsupportedOpcode,
          "opcode \(byte) refused: it imports or calls Python objects (only plain data is read)")
      }
      throw error(
        .unsupportedOpcode, "opcode \(byte) not supported (only lists, dicts, tuples and scalars)")
    }
  }

  // MARK: Stack

  mutating func push(_ item: Item) throws(PickleError) {
    guard stack.count < limits.maxStack else {
      throw error(.tooLarge, "more than \(limits.maxStack) values on the stack")
    }
    stack.append(item)
  }

  /// The `count` topmost values above the last mark, in stack order.
  mutating func pop(_ count: Int) throws(PickleError) -> [Item] {
    guard stack.count - (marks.last ?? 0) >= count else {
      throw error(.badStack, "needs \(count) values on the stack, found fewer")
    }
    let items = Array(stack[(stack.count - count)...])
    stack.removeLast(count)
    return items
  }

  mutating func popToMark() throws(PickleError) -> [Item] {
    guard let mark = marks.popLast() else { throw error(.badStack, "no MARK to pop to") }
    let items = Array(stack[mark...])
    stack.removeSubrange(mark...)
    return items
  }

  /// The container on top of the stack, which must be of `kind`.
  func top(_ kind: Container.Kind) throws(PickleError) -> Int {
    guard stack.count > (marks.last ?? 0), let item = stack.last else {
      throw error(.badStack, "no \(kind) on the stack")
    }
    guard case .container(let index) = item, containers[index].kind == kind else {
      throw error(.badStack, "the value on the stack is not a \(kind)")
    }
    return index
  }

  mutating func newContainer(_ kind: Container.Kind, _ items: [Item]) -> Item {
    containers.append(Container(kind: kind, items: items))
    return .container(containers.count - 1)
  }

  mutating func append(_ items: [Item], to index: Int) {
    containers[index].items.append(contentsOf: items)
  }

  /// Python's `dict[key] = value` for each pair: a repeated key keeps its place, the value changes.
  mutating func setItems(_ items: [Item], in index: Int) throws(PickleError) {
    guard items.count % 2 == 0 else {
      throw error(.badStack, "odd number of values (\(items.count)) for key/value pairs")
    }
    for pair in stride(from: 0, to: items.count, by: 2) {
      let key = try hashKey(items[pair], depth: 0)
      let existing =
        containers[index].keyIndex.map { $0[key] }
        ?? containers[index].keys.firstIndex(of: key)
      if let existing {
        containers[index].items[2 * existing + 1] = items[pair + 1]
        continue
      }
      containers[index].keys.append(key)
      containers[index].items.append(items[pair])
      containers[index].items.append(items[pair + 1])
      let count = containers[index].keys.count
      if containers[index].keyIndex != nil {
        containers[index].keyIndex?[key] = count - 1
      } else if count > 16 {
        containers[index].keyIndex = Dictionary(
          uniqueKeysWithValues: containers[index].keys.enumerated().map { ($1, $0) })
      }
    }
  }

  func hashKey(_ item: Item, depth: Int) throws(PickleError) -> HashKey {
    switch item {
    case .value(let value):
      switch value {
      case .none: return .none
      case .bool(let flag): return .int(flag ? 1 : 0)
      case .int(let number): return .int(number)
      case .float(let number):
        if number.rounded() == number, let exact = Int64(exactly: number) { return .int(exact) }
        return .float(number)
      case .string(let text): return .string(text)
      case .bytes(let bytes): return .bytes(bytes)
      case .tuple(let elements) where elements.isEmpty: return .tuple([])
      default: throw error(.malformed, "unhashable \(value.typeName) used as a dict key")
      }
    case .container(let index):
      let container = containers[index]
      guard container.kind == .tuple else {
        throw error(.malformed, "unhashable \(container.kind) used as a dict key")
      }
      guard depth < limits.maxDepth else {
        throw error(.tooDeep, "dict key nested deeper than \(limits.maxDepth) levels")
      }
      var elements: [HashKey] = []
      for element in container.items { elements.append(try hashKey(element, depth: depth + 1)) }
      return .tuple(elements)
    }
  }

  // MARK: Memo

  mutating func store(at index: Int) throws(PickleError) {
    guard stack.count > (marks.last ?? 0), let item = stack.last else {
      throw error(.badStack, "nothing on the stack to memoise")
    }
    if index < memo.count {
      memo[index] = item
    } else if index == memo.count {
      memo.append(item)
      sparseMemo.removeValue(forKey: index)
    } else {
      sparseMemo[index] = item
    }
  }

  func fetch(_ index: Int) throws(PickleError) -> Item {
    if index < memo.count { return memo[index] }
    if let item = sparseMemo[index] { return item }
    throw error(.badMemo, "memo slot \(index) was never stored")
  }

  // MARK: Building the result

  /// Builds the value of `root`. Each container is built once and shared; `sizes` counts the values
  /// each one expands to, which bounds what a reader of the result would walk.
  func build(_ root: Item) throws(PickleError) -> PickleValue {
    var built = [PickleValue?](repeating: nil, count: containers.count)
    var sizes = [Int](repeating: 0, count: containers.count)
    let budget = limits.maxExpansion.multipliedReportingOverflow(by: max(input.count, 128))
    let maxSize = budget.overflow ? Int.max : budget.partialValue
    let (value, _) = try build(root, depth: 0, built: &built, sizes: &sizes, maxSize: maxSize)
    return value
  }

  func build(
    _ item: Item, depth: Int, built: inout [PickleValue?], sizes: inout [Int], maxSize: Int
  ) throws(PickleError) -> (PickleValue, Int) {
    let index: Int
    switch item {
    case .value(let value): return (value, 1)
    case .container(let container): index = container
    }
    if let value = built[index] { return (value, sizes[index]) }
    guard depth < limits.maxDepth else {
      throw error(
        .tooDeep, "containers nested deeper than \(limits.maxDepth) levels (or a container holds itself)")
    }
    let container = containers[index]
    var size = 1
    var values: [PickleValue] = []
    values.reserveCapacity(container.items.count)
    for element in container.items {
      let (value, elementSize) = try build(
        element, depth: depth + 1, built: &built, sizes: &sizes, maxSize: maxSize)
      size = size > maxSize - elementSize ? maxSize + 1 : size + elementSize
      guard size <= maxSize else {
        throw error(.tooLarge, "the result would hold more than \(maxSize) values (shared references)")
      }
      values.append(value)
    }
    let value: PickleValue
    switch container.kind {
    case .list: value = .list(values)
    case .tuple: value = .tuple(values)
    case .dict:
      value = .dict(
        stride(from: 0, to: values.count, by: 2).map {
          PickleValue.Entry(key: values[$0], value: values[$0 + 1])
        })
    }
    built[index] = value
    sizes[index] = size
    return (value, size)
  }
}

func hex(_ byte: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
}
