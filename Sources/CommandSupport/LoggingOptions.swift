public import ArgumentParser
public import Logging

/// `--log-level`, shared by every command.
public struct LoggingOptions: ParsableArguments {
  @Option(help: "trace, debug, info, notice, warning, error or critical.")
  public var logLevel: Logger.Level = .notice

  public init() {}

  /// A logger writing to standard error (standard output stays for data).
  public func makeLogger(label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = logLevel
    return logger
  }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
