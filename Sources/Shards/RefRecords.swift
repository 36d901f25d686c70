extension RecordKind {
  /// score-refcoco input: one record per image of the shard, with the sentences asked about it.
  public static let refInput = RecordKind("RFCI")
  /// score-refcoco output: one record per sentence: the REC answer, the cells asked with their
  /// answers, and the mask's overlap with the ground truth.
  public static let refOutput = RecordKind("RFCO")
}

/// A box by its corners in pixels (`x2 = x + width` for a COCO box), as score-refcoco records
/// carry boxes.
public struct RefCorners: Equatable, Sendable {
  public var x1: Double
  public var y1: Double
  public var x2: Double
  public var y2: Double

  public init(x1: Double, y1: Double, x2: Double, y2: Double) {
    self.x1 = x1
    self.y1 = y1
    self.x2 = x2
    self.y2 = y2
  }
}

/// One sentence of a score-refcoco input record.
public struct RefSentenceInput: Equatable, Sendable {
  /// The sentence's number in the job (its row in `refcoco_subsets`).
  public var ordinal: Int
  public var dataset: String
  public var split: String
  public var refID: Int
  public var sentID: Int
  public var annotationID: Int
  /// The referring expression as the model sees it.
  public var sentence: String
  /// The ground-truth mask at the image's full size, as a pycocotools compressed RLE string.
  public var truthRLE: String
  /// The annotation's box (`bbox` as corners).
  public var truthBox: RefCorners

  public init(
    ordinal: Int, dataset: String, split: String, refID: Int, sentID: Int, annotationID: Int,
    sentence: String, truthRLE: String, truthBox: RefCorners
  ) {
    self.ordinal = ordinal
    self.dataset = dataset
    self.split = split
    self.refID = refID
    self.sentID = sentID
    self.annotationID = annotationID
    self.sentence = sentence
    self.truthRLE = truthRLE
    self.truthBox = truthBox
  }
}

/// score-refcoco input record: one image's bytes (once per shard) and the sentences about it, so
/// a worker needs nothing but the database.
public struct RefImageInput: Equatable, Sendable {
  /// The image's path relative to the image root.
  public var image: String
  public var imageID: Int
  /// The original file's bytes.
  public var encoded: [UInt8]
  /// The size `instances.json` gives (the ground-truth masks' size).
  public var width: Int
  public var height: Int
  public var sentences: [RefSentenceInput]

  public init(
    image: String, imageID: Int, encoded: [UInt8], width: Int, height: Int,
    sentences: [RefSentenceInput]
  ) {
    self.image = image
    self.imageID = imageID
    self.encoded = encoded
    self.width = width
    self.height = height
    self.sentences = sentences
  }
}

/// Which box chose the cells that were asked.
public enum RefBoxSource: UInt8, Sendable, CaseIterable {
  /// The model's REC answer.
  case model = 0
  /// The ground-truth box (`--box gt`).
  case truth = 1
  /// The whole image (`--box full`).
  case full = 2
  /// The whole image because the model's REC answer did not parse (`--box model`).
  case fallback = 3

  /// The name the database and exports use.
  public var name: String {
    switch self {
    case .model: "model"
    case .truth: "gt"
    case .full: "full"
    case .fallback: "fallback"
    }
  }
}

/// score-refcoco output record: everything the worker saw and decided for one sentence, so
/// pictures and figures can be redrawn without the model.
public struct RefSentenceOutput: Equatable, Sendable {
  public var ordinal: Int
  public var dataset: String
  public var split: String
  public var refID: Int
  public var sentID: Int
  public var image: String
  public var width: Int
  public var height: Int
  public var grid: Int
  /// The raw answer to the `[refer]` question.
  public var recAnswer: String
  /// Its box under MiniGPT-v2's rules, nil when it did not parse.
  public var recBox: RefCorners?
  public var boxSource: RefBoxSource
  /// The box whose cells were asked; nil for the whole image.
  public var maskBox: RefCorners?
  /// The cells asked (row * grid + col), ascending; every other cell is 0.
  public var cells: [UInt32]
  /// The raw answer per asked cell.
  public var answers: [String]
  /// The parsed answer per asked cell; nil when it did not parse (then the cell is 0).
  public var parsed: [Bool?]
  /// Pixels of the full-resolution predicted mask and ground truth: both, either.
  public var intersection: Int64
  public var union: Int64

  public init(
    ordinal: Int, dataset: String, split: String, refID: Int, sentID: Int, image: String, width: Int,
    height: Int, grid: Int, recAnswer: String, recBox: RefCorners?, boxSource: RefBoxSource,
    maskBox: RefCorners?, cells: [UInt32], answers: [String], parsed: [Bool?], intersection: Int64,
    union: Int64
  ) {
    self.ordinal = ordinal
    self.dataset = dataset
    self.split = split
    self.refID = refID
    self.sentID = sentID
    self.image = image
    self.width = width
    self.height = height
    self.grid = grid
    self.recAnswer = recAnswer
    self.recBox = recBox
    self.boxSource = boxSource
    self.maskBox = maskBox
    self.cells = cells
    self.answers = answers
    self.parsed = parsed
    self.intersection = intersection
    self.union = union
  }

  /// The predicted mask on the grid (row-major, 0/1): the asked cells answered `1`.
  public var gridMask: [UInt8] {
    var mask = [UInt8](repeating: 0, count: grid * grid)
    for (cell, answer) in zip(cells, parsed) where answer == true { mask[Int(cell)] = 1 }
    return mask
  }
}

/// Layout (kind RFCI): image string, image_id zigzag, encoded bytes, width varint, height varint,
/// sentence count, then per sentence: ordinal varint, dataset string, split string, ref_id zigzag,
/// sent_id zigzag, ann_id zigzag, sentence string, RLE string, box (4 x f64: x1, y1, x2, y2).
extension RefImageInput: ShardRecord {
  public static var kind: RecordKind { .refInput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeZigZag(Int64(imageID))
    writer.writeBytes(encoded)
    writer.writeVarint(UInt64(width))
    writer.writeVarint(UInt64(height))
    writer.writeVarint(UInt64(sentences.count))
    for sentence in sentences {
      writer.writeVarint(UInt64(sentence.ordinal))
      writer.writeString(sentence.dataset)
      writer.writeString(sentence.split)
      writer.writeZigZag(Int64(sentence.refID))
      writer.writeZigZag(Int64(sentence.sentID))
      writer.writeZigZag(Int64(sentence.annotationID))
      writer.writeString(sentence.sentence)
      writer.writeString(sentence.truthRLE)
      writeCorners(sentence.truthBox, into: &writer)
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> RefImageInput {
    let image = try reader.readString()
    let imageID = Int(try reader.readZigZag())
    let encoded = try reader.readBytes()
    let width = Int(try reader.readVarint(as: UInt32.self))
    let height = Int(try reader.readVarint(as: UInt32.self))
    // Smallest sentence: 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 32 bytes.
    let count = try reader.readCount(minimumElementSize: 40)
    var sentences: [RefSentenceInput] = []
    sentences.reserveCapacity(count)
    for _ in 0..<count {
      let ordinal = Int(try reader.readVarint(as: UInt32.self))
      let dataset = try reader.readString()
      let split = try reader.readString()
      let refID = Int(try reader.readZigZag())
      let sentID = Int(try reader.readZigZag())
      let annotationID = Int(try reader.readZigZag())
      let sentence = try reader.readString()
      let rle = try reader.readString()
      let box = try readCorners(from: &reader)
      sentences.append(
        RefSentenceInput(
          ordinal: ordinal, dataset: dataset, split: split, refID: refID, sentID: sentID,
          annotationID: annotationID, sentence: sentence, truthRLE: rle, truthBox: box))
    }
    return RefImageInput(
      image: image, imageID: imageID, encoded: encoded, width: width, height: height,
      sentences: sentences)
  }
}

/// Layout (kind RFCO): ordinal varint, dataset string, split string, ref_id zigzag, sent_id zigzag,
/// image string, width, height, grid varints, REC answer string, REC flag byte (0 = unparsable,
/// 1 = parsed, followed by 4 x f64), box source byte (0 model, 1 gt, 2 full, 3 fallback), mask box
/// flag byte (0 = whole image, 1 = followed by 4 x f64), cells (count, then varint deltas as in
/// REVI), per cell the answer string and a byte (0 = parsed "0", 1 = parsed "1", 2 = unparsable),
/// then intersection and union varints.
extension RefSentenceOutput: ShardRecord {
  public static var kind: RecordKind { .refOutput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeVarint(UInt64(ordinal))
    writer.writeString(dataset)
    writer.writeString(split)
    writer.writeZigZag(Int64(refID))
    writer.writeZigZag(Int64(sentID))
    writer.writeString(image)
    writer.writeVarint(UInt64(width))
    writer.writeVarint(UInt64(height))
    writer.writeVarint(UInt64(grid))
    writer.writeString(recAnswer)
    writeOptionalCorners(recBox, into: &writer)
    writer.writeUInt8(boxSource.rawValue)
    writeOptionalCorners(maskBox, into: &writer)
    writer.writeVarint(UInt64(cells.count))
    var previous: UInt32 = 0
    for cell in cells {
      writer.writeVarint(UInt64(cell &- previous))
      previous = cell
    }
    for (answer, value) in zip(answers, parsed) {
      writer.writeString(answer)
      writer.writeUInt8(value.map { $0 ? 1 : 0 } ?? 2)
    }
    writer.writeVarint(UInt64(intersection))
    writer.writeVarint(UInt64(union))
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> RefSentenceOutput {
    let ordinal = Int(try reader.readVarint(as: UInt32.self))
    let dataset = try reader.readString()
    let split = try reader.readString()
    let refID = Int(try reader.readZigZag())
    let sentID = Int(try reader.readZigZag())
    let image = try reader.readString()
    let width = Int(try reader.readVarint(as: UInt32.self))
    let height = Int(try reader.readVarint(as: UInt32.self))
    let grid = Int(try reader.readVarint(as: UInt16.self))
    let recAnswer = try reader.readString()
    let recBox = try readOptionalCorners(from: &reader)
    let sourceByte = try reader.readUInt8()
    guard let boxSource = RefBoxSource(rawValue: sourceByte) else {
      throw ShardError(.badRecord, shard: "", "box source \(sourceByte) is not 0...3")
    }
    let maskBox = try readOptionalCorners(from: &reader)
    let count = try reader.readCount(minimumElementSize: 3)
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
    var answers: [String] = []
    var parsed: [Bool?] = []
    answers.reserveCapacity(count)
    parsed.reserveCapacity(count)
    for _ in 0..<count {
      answers.append(try reader.readString())
      switch try reader.readUInt8() {
      case 0: parsed.append(false)
      case 1: parsed.append(true)
      case 2: parsed.append(nil)
      case let flag: throw ShardError(.badRecord, shard: "", "mask answer flag \(flag) is not 0, 1 or 2")
      }
    }
    let intersection = try reader.readVarint()
    let union = try reader.readVarint()
    guard intersection <= union, union <= UInt64(width) * UInt64(height) else {
      throw ShardError(
        .badRecord, shard: "",
        "intersection \(intersection) and union \(union) do not fit a \(width)x\(height) image")
    }
    return RefSentenceOutput(
      ordinal: ordinal, dataset: dataset, split: split, refID: refID, sentID: sentID, image: image,
      width: width, height: height, grid: grid, recAnswer: recAnswer, recBox: recBox,
      boxSource: boxSource, maskBox: maskBox, cells: cells, answers: answers, parsed: parsed,
      intersection: Int64(intersection), union: Int64(union))
  }
}

private func writeCorners(_ box: RefCorners, into writer: inout ByteWriter) {
  writer.writeDouble(box.x1)
  writer.writeDouble(box.y1)
  writer.writeDouble(box.x2)
  writer.writeDouble(box.y2)
}

private func readCorners(from reader: inout ByteReader) throws(ShardError) -> RefCorners {
  RefCorners(
    x1: try reader.readDouble(), y1: try reader.readDouble(), x2: try reader.readDouble(),
    y2: try reader.readDouble())
}

private func writeOptionalCorners(_ box: RefCorners?, into writer: inout ByteWriter) {
  if let box {
    writer.writeUInt8(1)
    writeCorners(box, into: &writer)
  } else {
    writer.writeUInt8(0)
  }
}

private func readOptionalCorners(from reader: inout ByteReader) throws(ShardError) -> RefCorners? {
  switch try reader.readUInt8() {
  case 0: return nil
  case 1: return try readCorners(from: &reader)
  case let flag: throw ShardError(.badRecord, shard: "", "box flag \(flag) is neither 0 nor 1")
  }
}
