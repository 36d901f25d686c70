import Games
import Testing

@Suite struct GameNameTests {
  @Test func parsesKnownGamesCaseInsensitively() throws {
    #expect(try GameName.parse("CarRacing") == .carracing)
    #expect(try GameName.parse("spaceinvaders") == .spaceinvaders)
  }

  @Test func unknownGameNamesTheKnownOnes() {
    #expect {
      try GameName.parse("pong")
    } throws: { error in
      let error = error as? GameError
      return error?.code == .badOption && error?.description.contains("carracing, spaceinvaders") == true
    }
  }

  @Test func stacksAreThePapers() {
    #expect(GameName.carracing.stack == 2)
    #expect(GameName.spaceinvaders.stack == 4)
  }
}
