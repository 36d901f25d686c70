import Games
import Testing

@Suite struct GameActionTests {
  static let car = ["NOOP", "RIGHT", "LEFT", "GAS", "BRAKE"]
  static let invaders = ["NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"]

  @Test(arguments: [
    ("3", 3), ("GAS", 3), ("gas", 3), (" Brake \n", 4), ("3: GAS", 3), ("3:GAS", 3), ("3 GAS", 3),
    ("0", 0), ("NOOP.", 0), ("4: brake.", 4),
  ])
  func carRacingAnswersParse(answer: String, expected: Int) {
    #expect(GameAction.parse(answer, actions: Self.car) == expected)
  }

  @Test(arguments: [
    ("RIGHTFIRE", 4), ("RIGHT", 2), ("5", 5), ("5: LEFTFIRE", 5), ("fire", 1),
  ])
  func spaceInvadersAnswersParse(answer: String, expected: Int) {
    #expect(GameAction.parse(answer, actions: Self.invaders) == expected)
  }

  @Test(arguments: [
    "", "   ", "5", "-1", "1.5", "GO LEFT", "3: BRAKE", "LEFT RIGHT", "3GAS", "03x", "steer left",
    "99999999999999999999", "RIGHT FIRE", "[3]",
  ])
  func garbageDoesNotParse(answer: String) {
    #expect(GameAction.parse(answer, actions: Self.car) == nil)
  }
}
