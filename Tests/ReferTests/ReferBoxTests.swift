import Refer
import Testing

@Suite struct ReferBoxTests {
  // MARK: IoU with the +1 convention

  /// 10 x 10 boxes offset by 5: intersection 5 x 5 = 25, union 100 + 100 - 25 = 175.
  @Test func iouByHand() throws {
    let a = ReferBox(x1: 0, y1: 0, x2: 9, y2: 9)
    let b = ReferBox(x1: 5, y1: 5, x2: 14, y2: 14)
    #expect(a.iou(b) == 25.0 / 175.0)
    #expect(b.iou(a) == 25.0 / 175.0)
    #expect(a.iou(a) == 1)
    #expect(!b.hits(a))
  }

  /// Exactly 0.5 is not a hit; just above is.
  @Test func hitIsStrict() {
    let truth = ReferBox(x1: 0, y1: 0, x2: 9, y2: 9)  // 100 pixels
    let half = ReferBox(x1: 0, y1: 0, x2: 9, y2: 19)  // 200 pixels, IoU 100 / 200
    #expect(half.iou(truth) == 0.5)
    #expect(!half.hits(truth))
    let more = ReferBox(x1: 0, y1: 0, x2: 9, y2: 18)  // 190 pixels, IoU 100 / 190
    #expect(more.iou(truth) == 100.0 / 190.0)
    #expect(more.hits(truth))
  }

  /// Disjoint boxes; touching boxes share a pixel row under the +1 convention.
  @Test func disjointAndTouching() {
    let a = ReferBox(x1: 0, y1: 0, x2: 9, y2: 9)
    #expect(ReferBox(x1: 20, y1: 20, x2: 29, y2: 29).iou(a) == 0)
    #expect(ReferBox(x1: 9, y1: 0, x2: 18, y2: 9).iou(a) == 10.0 / 190.0)
  }

  /// Python divides by zero for a zero union; eval_ref.py then counts a miss.
  @Test func zeroUnionIsAMiss() {
    let empty = ReferBox(x1: 0, y1: 0, x2: -1, y2: -1)
    #expect(empty.iou(empty) == nil)
    #expect(!empty.hits(empty))
  }

  // MARK: Answers: MiniGPT-v2's training format

  /// `make_coco_cases`-independent numbers: Python's `int(v / size * 100)` and eval_ref.py's IoU
  /// of the parsed answer against the ground truth, for every refer-mini annotation.
  static let fixtureAnswers: [(Int, String, Double)] = [
    (1, "{<38><31><62><96>}", 0.9323180464901641),
    (2, "{<73><25><99><99>}", 0.9392254386000878),
    (3, "{<73><47><77><62>}", 0.6466162142065462),
    (4, "{<16><5><86><99>}", 0.970675290300995),
    (5, "{<0><25><21><75>}", 0.9387863924397779),
    (6, "{<81><45><99><69>}", 0.9228452365831613),
    (7, "{<18><28><48><87>}", 0.9330518946978951),
    (8, "{<34><29><61><74>}", 0.9547291163705527),
    (9, "{<50><30><74><77>}", 0.9295958527714556),
    (10, "{<29><51><99><100>}", 0.9601929037171826),
    (11, "{<80><22><89><30>}", 0.8455358652573235),
    (12, "{<3><37><95><83>}", 0.9732331148420742),
  ]

  @Test(arguments: fixtureAnswers) func fixtureAnswerRoundTrip(annotationID: Int, answer: String, iou: Double)
    throws
  {
    let dataset = try ReferDataset.load(root: Fixtures.referMini, dataset: "refcoco", splitBy: "unc")
    let annotation = try #require(dataset.annotations[annotationID])
    let image = try #require(dataset.image(id: annotation.imageID))
    #expect(annotation.box.answerText(imageWidth: image.width, imageHeight: image.height) == answer)
    let parsed = try #require(
      ReferBox.parseAnswer(answer, imageWidth: image.width, imageHeight: image.height))
    let computed = try #require(parsed.iou(annotation.box))
    #expect(abs(computed - iou) < 1e-12)
    #expect(parsed.hits(annotation.box))
  }

  // MARK: Parsing: eval_ref.py's rules

  /// 500 x 375 image: x = v / 100 * 500, y = v / 100 * 375.
  @Test func parsesAndRescales() throws {
    let box = try #require(ReferBox.parseAnswer("{<10><20><30><40>}", imageWidth: 500, imageHeight: 375))
    #expect(box == ReferBox(x1: 50, y1: 75, x2: 150, y2: 150))
    #expect(ReferBox.answerCoordinates("{<0><999><7><100>}") == [0, 999, 7, 100])
  }

  @Test(arguments: [
    " {<10><20><30><40>}",
    "{ <10> <20><30><40> }",
    "{<1 0><20><30><40>}",
    "\n{<10><20><30><40>}\n",
    "<unk>{<10><20><30><40>}<unk>",
    "{<10><20><30><40>}.",  // re.match anchors only at the start
    "{<10><20><30><40>} is the box",
    "{<010><20><30><40>}",
    "{<\u{0661}\u{0660}><20><30><40>}",  // Arabic-Indic digits: Python's \d and int() take them
  ]) func accepted(_ answer: String) {
    #expect(ReferBox.answerCoordinates(answer) == [10, 20, 30, 40])
  }

  @Test(arguments: [
    "",
    "{<10><20><30><40>",  // missing closing brace
    "<10><20><30><40>}",  // missing opening brace
    "{<1000><20><30><40>}",  // four digits
    "{<-10><20><30><40>}",  // negative
    "{<a><20><30><40>}",  // letters
    "{<10><20><30>}",  // three numbers
    "{<10><20><30><40><50>}",  // five numbers
    "{<><20><30><40>}",  // empty number
    "the box is {<10><20><30><40>}",  // text before
    "{<10><20><30><40>} 5",  // a further digit: eval_ref.py fails to unpack five values
    "{<10><20><30><40>}{<1><2><3><4>}",
    "{<10>\n<20><30><40>}",  // white space inside is only stripped if it is a space
    "{<10.5><20><30><40>}",
    "[10, 20, 30, 40]",
    "{<10><20><30><40>\u{FF5D}",  // a fullwidth brace is not a brace
  ]) func refused(_ answer: String) {
    #expect(ReferBox.answerCoordinates(answer) == nil)
    #expect(ReferBox.parseAnswer(answer, imageWidth: 100, imageHeight: 100) == nil)
  }

  @Test func answerTextTruncates() {
    // 0.999 / 1 * 100 = 99.9 -> 99; a coordinate past the edge stays past 100.
    let box = ReferBox(x1: 0.999, y1: 0, x2: 10.5, y2: 3.999)
    #expect(box.answerText(imageWidth: 10, imageHeight: 4) == "{<9><0><105><99>}")
  }
}
