import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where the environment server and its Python live.
///
/// `PIXELPROBE_ENVS_SERVER` (the `server.py` path) and `PIXELPROBE_ENVS_PYTHON` (the interpreter)
/// override everything; otherwise the project folder is found by walking up from the current
/// directory and from the executable's folder to `ops/envs/server.py`, and the interpreter is
/// `.venv-envs/bin/python` there (`PIXELPROBE_ENVS_VENV` chooses another virtual environment),
/// which `ops/setup.sh` installs.
public struct GameServerLocation: Sendable, Equatable {
  public var python: String
  public var script: String

  public init(python: String, script: String) {
    self.python = python
    self.script = script
  }

  static let installHint =
    "install the game environments with ops/setup.sh (or ops/envs/install.sh), which puts gymnasium, box2d, pygame and ale-py into .venv-envs/"

  /// Finds the server and its interpreter; fails naming what is missing and how to install it.
  public static func find(environment given: [String: String]? = nil) throws(GameError)
    -> GameServerLocation
  {
    let environment = given ?? ProcessInfo.processInfo.environment
    let script: String
    if let given = environment["PIXELPROBE_ENVS_SERVER"] {
      script = given
    } else if let root = projectRoot() {
      script = root + "/ops/envs/server.py"
    } else {
      throw GameError(
        .notInstalled, "game environment server",
        "ops/envs/server.py not found above \(FileManager.default.currentDirectoryPath) or the executable (set PIXELPROBE_ENVS_SERVER, or run from the project folder)"
      )
    }
    guard FileManager.default.fileExists(atPath: script) else {
      throw GameError(.notInstalled, script, "the environment server script does not exist")
    }
    let python: String
    if let given = environment["PIXELPROBE_ENVS_PYTHON"] {
      python = given
    } else {
      let root = URL(fileURLWithPath: script).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
      python = (environment["PIXELPROBE_ENVS_VENV"] ?? root + "/.venv-envs") + "/bin/python"
    }
    guard access(python, X_OK) == 0 else {
      throw GameError(.notInstalled, python, "no Python for the game environments: \(installHint)")
    }
    return GameServerLocation(python: python, script: script)
  }

  /// The folder holding `ops/envs/server.py`, above the current directory or the executable.
  static func projectRoot() -> String? {
    var starts = [FileManager.default.currentDirectoryPath]
    if let executable = Bundle.main.executablePath {
      starts.append(URL(fileURLWithPath: executable).deletingLastPathComponent().path)
    }
    for start in starts {
      var url = URL(fileURLWithPath: start)
      for _ in 0..<8 {
        if FileManager.default.fileExists(atPath: url.path + "/ops/envs/server.py") { return url.path }
        let parent = url.deletingLastPathComponent()
        if parent.path == url.path { break }
        url = parent
      }
    }
    return nil
  }

  /// Starts a server and makes `game`: proves the interpreter imports every package. Used at
  /// enqueue time so that missing packages fail the enqueue, not the workers.
  public func check(game: GameName, discretisation: String) throws(GameError) {
    do {
      let server = try GameServer(
        game: game, discretisation: discretisation, expert: false, location: self, timeout: 60)
      server.close()
    } catch let error where error.code == .serverDied || error.code == .spawn {
      throw GameError(.notInstalled, python, "\(error.detail); \(Self.installHint)")
    }
  }
}
