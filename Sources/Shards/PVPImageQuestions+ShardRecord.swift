/// Layout (kind PVPI): image string, image ID zigzag, question count varint, then per question
/// the index as a varint delta from the previous one (the first from 0, wrapping mod 2^64),
/// row varint, col varint. Indices are ascending in practice, so a delta is usually 1 byte.
extension PVPImageQuestions: ShardRecord {
  public static var kind: RecordKind { .pvpInput }

  public func encode(into writer: inout ByteWriter) {
    writer.writeString(image)
    writer.writeZigZag(imageID)
    writer.writeVarint(UInt64(questions.count))
    var previous: UInt64 = 0
    for question in questions {
      writer.writeVarint(question.index &- previous)
      writer.writeVarint(UInt64(question.row))
      writer.writeVarint(UInt64(question.col))
      previous = question.index
    }
  }

  public static func decode(from reader: inout ByteReader) throws(ShardError) -> PVPImageQuestions {
    let image = try reader.readString()
    let imageID = try reader.readZigZag()
    let count = try reader.readCount(minimumElementSize: 3)
    var questions = [PVPLocation]()
    questions.reserveCapacity(count)
    var index: UInt64 = 0
    for _ in 0..<count {
      index &+= try reader.readVarint()
      let row = try reader.readVarint(as: UInt16.self)
      let col = try reader.readVarint(as: UInt16.self)
      questions.append(PVPLocation(index: index, row: row, col: col))
    }
    return PVPImageQuestions(image: image, imageID: imageID, questions: questions)
  }
}
