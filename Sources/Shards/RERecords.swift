extension RecordKind {
  /// eval-re input: one record per image, carrying the image file and its grid target.
  public static let reInput = RecordKind("REVI")
  /// eval-re output, first layout: one record per image, every question's raw answer and parsed
  /// colour. Still read; no longer written.
  public static let reOutput = RecordKind("REVO")
  /// eval-re output, compact layout (what workers write): as REVO, but an answer that is exactly
  /// the canonical text of its parsed colour is stored as the colour alone.
  public static let reOutputCompact = RecordKind("REO2")
  /// The eval-re output kinds a reader accepts.
  public static let reOutputKinds: Set<RecordKind> = [.reOutput, .reOutputCompact]
}

/// eval-re input record: everything a worker needs about one image, so it needs nothing but the
/// database (no shared corpus mount).
public struct REImageInput: Equatable, Sendable {
  /// The image's name in the evaluation set (its path relative to the images directory).
  public var image: String
  /// The original file's bytes.
  public var encoded: [UInt8]
  public var grid: Int
  /// grid x grid x 3 bytes, row-major RGB: the image resized to the grid (Pillow BICUBIC).
  public var target: [UInt8]
  /// The grid cells asked about (row * grid + col), ascending.
  public var cells: [UInt32]

  public init(image: String, encoded: [UInt8], grid: Int, target: [UInt8], cells: [UInt32]) {
    self.image = image
    self.encoded = encoded
    self.grid = grid
    self.target = target
    self.cells = cells
  }
}

/// eval-re output record: one image's answers, kept so reports can be recomputed and pictures
/// drawn without the model.
public struct REImageOutput: Equatable, Sendable {
  public var image: String
  public var grid: Int
  public var target: [UInt8]
  public var cells: [UInt32]
  /// The model's raw answer text per cell, in `cells` order.
  public var answers: [String]
  /// The parsed colour per cell, or nil when the answer did not parse.
  public var parsed: [RGBColour?]

  public init(
    image: String, grid: Int, target: [UInt8], cells: [UInt32], answers: [String],
    parsed: [RGBColour?]
  ) {
    self.image = image
    self.grid = grid
    self.target = target
    self.cells = cells
    self.answers = answers
    self.parsed = parsed
  }
}

/// Layout (kind REVI): image string, encoded bytes, grid varint, target bytes (length-prefixed,
/// grid*grid*3), cell count varint, then each cell as a varint delta from the previous one (the
/// first from 0).
extension REImageInput: ShardRecord {
  public static var kind: RecordKind { .reInput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeBytes(encoded)
    writer.writeVarint(UInt64(grid))
    writer.writeBytes(target)
    writeCells(cells, into: &writer)
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> REImageInput {
    let image = try reader.readString()
    let encoded = try reader.readBytes()
    let (grid, target) = try readGridTarget(from: &reader, image: image)
    let cells = try readCells(from: &reader, grid: grid)
    return REImageInput(image: image, encoded: encoded, grid: grid, target: target, cells: cells)
  }
}

/// Layout (kind REVO): image string, grid varint, target bytes, cells (as in REVI), then per cell
/// the answer string and a parsed flag byte (0 = unparsable, 1 = parsed, followed by r, g, b bytes).
extension REImageOutput: ShardRecord {
  public static var kind: RecordKind { .reOutput }

  public func encode(into writer: inout ByteWriter) {
    writeOutputHeader(self, into: &writer)
    for (answer, rgb) in zip(answers, parsed) {
      writer.writeString(answer)
      if let rgb {
        writer.writeUInt8(1)
        writer.writeUInt8(rgb.r)
        writer.writeUInt8(rgb.g)
        writer.writeUInt8(rgb.b)
      } else {
        writer.writeUInt8(0)
      }
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> REImageOutput {
    let (image, grid, target, cells) = try readOutputHeader(from: &reader)
    var answers: [String] = []
    var parsed: [RGBColour?] = []
    answers.reserveCapacity(cells.count)
    parsed.reserveCapacity(cells.count)
    for _ in cells {
      answers.append(try reader.readString())
      switch try reader.readUInt8() {
      case 0: parsed.append(nil)
      case 1:
        parsed.append(
          RGBColour(r: try reader.readUInt8(), g: try reader.readUInt8(), b: try reader.readUInt8()))
      case let flag:
        throw ShardError(.badRecord, shard: image, "parsed flag \(flag) is neither 0 nor 1")
      }
    }
    return REImageOutput(
      image: image, grid: grid, target: target, cells: cells, answers: answers, parsed: parsed)
  }
}

/// The compact eval-re output record (kind REO2): the same `REImageOutput`, in the layout that
/// workers write.
public struct REImageOutputCompact: Equatable, Sendable {
  public var output: REImageOutput

  public init(_ output: REImageOutput) { self.output = output }
}

/// Layout (kind REO2): image string, grid varint, target bytes, cells (as in REVI), then per cell
/// a flag byte: 0 = unparsable, the answer string follows; 1 = parsed, the answer string and r, g,
/// b follow; 2 = parsed and the answer is exactly the canonical `[r,g,b]` text of its colour
/// (`RGBColour.answerText`), only r, g, b follow.
extension REImageOutputCompact: ShardRecord {
  public static var kind: RecordKind { .reOutputCompact }

  public func encode(into writer: inout ByteWriter) {
    writeOutputHeader(output, into: &writer)
    for (answer, rgb) in zip(output.answers, output.parsed) {
      guard let rgb else {
        writer.writeUInt8(0)
        writer.writeString(answer)
        continue
      }
      if answer == rgb.answerText {
        writer.writeUInt8(2)
      } else {
        writer.writeUInt8(1)
        writer.writeString(answer)
      }
      writer.writeUInt8(rgb.r)
      writer.writeUInt8(rgb.g)
      writer.writeUInt8(rgb.b)
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError)
    -> REImageOutputCompact
  {
    let (image, grid, target, cells) = try readOutputHeader(from: &reader)
    var answers: [String] = []
    var parsed: [RGBColour?] = []
    answers.reserveCapacity(cells.count)
    parsed.reserveCapacity(cells.count)
    for _ in cells {
      let flag = try reader.readUInt8()
      switch flag {
      case 0:
        answers.append(try reader.readString())
        parsed.append(nil)
      case 1, 2:
        let text = flag == 1 ? try reader.readString() : nil
        let rgb = RGBColour(r: try reader.readUInt8(), g: try reader.readUInt8(), b: try reader.readUInt8())
        answers.append(text ?? rgb.answerText)
        parsed.append(rgb)
      default:
        throw ShardError(.badRecord, shard: image, "answer flag \(flag) is not 0, 1 or 2")
      }
    }
    return REImageOutputCompact(
      REImageOutput(
        image: image, grid: grid, target: target, cells: cells, answers: answers, parsed: parsed))
  }
}

extension ShardReader {
  /// The next eval-re output record of a REVO or REO2 shard.
  public func nextREOutput() throws(ShardError) -> REImageOutput? {
    switch kind {
    case .reOutputCompact: return try next(REImageOutputCompact.self)?.output
    default: return try next(REImageOutput.self)
    }
  }
}

/// REVO and REO2 open alike: image string, grid varint, target bytes, cells.
private func writeOutputHeader(_ output: REImageOutput, into writer: inout ByteWriter) {
  writer.writeString(output.image)
  writer.writeVarint(UInt64(output.grid))
  writer.writeBytes(output.target)
  writeCells(output.cells, into: &writer)
}

private func readOutputHeader(from reader: inout ByteReader) throws(ShardError) -> (
  image: String, grid: Int, target: [UInt8], cells: [UInt32]
) {
  let image = try reader.readString()
  let (grid, target) = try readGridTarget(from: &reader, image: image)
  return (image, grid, target, try readCells(from: &reader, grid: grid))
}

/// The grid varint and the target bytes, which must be grid x grid x 3.
private func readGridTarget(from reader: inout ByteReader, image: String) throws(ShardError) -> (
  grid: Int, target: [UInt8]
) {
  let grid = Int(try reader.readVarint(as: UInt16.self))
  let target = try reader.readBytes()
  guard target.count == grid * grid * 3 else {
    throw ShardError(.badRecord, shard: image, "target holds \(target.count) bytes for grid \(grid)")
  }
  return (grid, target)
}

private func writeCells(_ cells: [UInt32], into writer: inout ByteWriter) {
  writer.writeVarint(UInt64(cells.count))
  var previous: UInt32 = 0
  for cell in cells {
    writer.writeVarint(UInt64(cell &- previous))
    previous = cell
  }
}

private func readCells(from reader: inout ByteReader, grid: Int) throws(ShardError) -> [UInt32] {
  let count = try reader.readCount(minimumElementSize: 1)
  var cells: [UInt32] = []
  cells.reserveCapacity(count)
  var cell: UInt32 = 0
  for n in 0..<count {
    let delta = try reader.readVarint(as: UInt32.self)
    guard n == 0 || delta > 0 else {
      throw ShardError(.badRecord, shard: "", "cells are not strictly ascending")
    }
    cell &+= delta
    guard Int(cell) < grid * grid else {
      throw ShardError(.badRecord, shard: "", "cell \(cell) outside the \(grid)x\(grid) grid")
    }
    cells.append(cell)
  }
  return cells
}
