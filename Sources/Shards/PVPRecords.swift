/// A question of gen-pvp: question number `index` of the job asks for the pixel at (row, col).
public struct PVPLocation: Equatable, Sendable {
  public var index: UInt64
  public var row: UInt16
  public var col: UInt16
  public init(index: UInt64, row: UInt16, col: UInt16) {
    self.index = index
    self.row = row
    self.col = col
  }
}

/// gen-pvp input record: an image (path relative to the corpus root) and the questions about it.
public struct PVPImageQuestions: Equatable, Sendable {
  public var image: String
  /// COCO image_id, or -1 when the corpus is a plain directory.
  public var imageID: Int64
  public var questions: [PVPLocation]
  public init(image: String, imageID: Int64, questions: [PVPLocation]) {
    self.image = image
    self.imageID = imageID
    self.questions = questions
  }
}

/// A gen-pvp answer: the target colour at a question's location.
public struct PVPAnswer: Equatable, Sendable {
  public var index: UInt64
  public var row: UInt16
  public var col: UInt16
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8
  public init(index: UInt64, row: UInt16, col: UInt16, r: UInt8, g: UInt8, b: UInt8) {
    self.index = index
    self.row = row
    self.col = col
    self.r = r
    self.g = g
    self.b = b
  }
}

/// gen-pvp output record: an image and the answers to its questions.
public struct PVPImageAnswers: Equatable, Sendable {
  public var image: String
  public var imageID: Int64
  public var answers: [PVPAnswer]
  public init(image: String, imageID: Int64, answers: [PVPAnswer]) {
    self.image = image
    self.imageID = imageID
    self.answers = answers
  }
}
