import ArgumentParser
import CommandSupport
import Games
import Pipeline
import Queue

/// Options both game job kinds take.
struct GameOptions: ParsableArguments {
  @Option(help: "carracing or spaceinvaders.")
  var game: String?
  @Option(help: "Seed: episode k is reset with seed S + k (gen-game: 2^31 + S + k).")
  var seed: UInt64 = 0
  @Option(help: "Cut each episode after N agent steps (default: the whole game).")
  var maxSteps: Int?
  @Option(
    help:
      "Action set: carracing gym5 (gymnasium's continuous=False, the default) or combo7; spaceinvaders ale6."
  )
  var discretisation: String?
  @Option(help: "How much instruction precedes [game] in the question: full, brief or none.")
  var instruction: GameInstructionStyle = .full
  @Flag(help: "Do not start an environment server at enqueue to check the packages.")
  var noEnvCheck = false
  @OptionGroup(title: "Queue") var job: JobOptions

  func request(kind: String) -> GameRequest {
    var request = GameRequest()
    request.kind = kind
    request.game = game
    request.seed = seed
    request.maxSteps = maxSteps
    request.discretisation = discretisation
    request.instruction = instruction
    request.checkEnvironment = !noEnvCheck
    job.apply(to: &request)
    return request
  }
}

func enqueueGame(
  _ request: GameRequest, database: DatabaseOptions, logging: LoggingOptions, command: String
) throws {
  try reportingErrors(command) {
    let logger = logging.makeLogger(label: "coordinator")
    let spec = try GameJob.plan(request)
    let connection = try database.connect(logger: logger)
    let result = try GameJob.enqueue(
      spec, request: request, queue: WorkQueue(connection: connection), logger: logger)
    printError(
      result.created
        ? "coordinator: enqueued \(request.kind) job \(result.jobID) (\(spec.episodes) episodes of \(spec.game), seeds \(spec.environmentSeed(episode: 0))...)"
        : "coordinator: the same job already exists: \(result.jobID)")
    print(result.jobID)
  }
}

struct EnqueuePlayGameCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "play-game",
    abstract: "Scored episodes of CarRacing or SpaceInvaders (the paper's Table 4).",
    discussion: """
      One shard per episode; the worker plays it against its own environment server \
      (ops/envs/server.py, installed by ops/setup.sh). Each step the model sees the last frames \
      (2 CarRacing, 4 SpaceInvaders) as images, then \
      `{game instruction} [{game}] choose an action from Action Space: `, and answers an action \
      name or number; an answer that does not parse is counted and played as NOOP.
      Models: baseline:expert (the scripted expert) | baseline:random | openai:BASE_URL?model=NAME | \
      native:FILE.safetensors | native:random?seed=S&size=tiny. See docs/games.md.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @OptionGroup var options: GameOptions
  @Option(help: "Episodes (shards).")
  var episodes: Int = 15
  @Option(help: "The model's URI.")
  var model: String = "baseline:expert"
  @Option(
    help:
      "Keep every N-th step's frame (PNG) in the output for render (1: all, 0: none; encoding costs about 1 ms per SpaceInvaders frame)."
  )
  var frameEvery: Int = 10

  func run() throws {
    var request = options.request(kind: GameSpec.playKind)
    request.episodes = episodes
    request.model = model
    request.frameEvery = frameEvery
    try enqueueGame(
      request, database: database, logging: logging, command: "coordinator enqueue play-game")
  }
}

struct EnqueueGenGameCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gen-game",
    abstract: "Expert episodes for imitation: (stacked frames, question, expert action) records.",
    discussion: """
      One shard per game, played by the environment server's scripted expert; every observation \
      is kept with its stacked frames (2 CarRacing, 4 SpaceInvaders, PNG), the question text and \
      the expert's action. Seeds come from 2^31 + S + k, apart from play-game's (below 2^31). \
      `coordinator export JOB` streams the records as JSON lines. See docs/games.md.
      """)

  @OptionGroup var database: DatabaseOptions
  @OptionGroup var logging: LoggingOptions
  @OptionGroup var options: GameOptions
  @Option(help: "Expert games (shards).")
  var games: Int = 30

  func run() throws {
    var request = options.request(kind: GameSpec.genKind)
    request.episodes = games
    request.model = "baseline:expert"
    request.frameEvery = 0
    try enqueueGame(
      request, database: database, logging: logging, command: "coordinator enqueue gen-game")
  }
}
