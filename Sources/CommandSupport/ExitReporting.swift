import ArgumentParser
import Foundation

/// Runs a command body, turning any error into one line on stderr and a non-zero exit, so users
/// never see a stack trace or a Swift error dump.
public func reportingErrors(_ command: String, _ body: () throws -> Void) throws {
  do {
    try body()
  } catch let exit as ExitCode {
    throw exit
  } catch let error as ValidationError {
    throw error
  } catch {
    FileHandle.standardError.write(Data("\(command): error: \(error)\n".utf8))
    throw ExitCode.failure
  }
}

/// A message for people: to standard error, so standard output stays clean for scripts.
public func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}
