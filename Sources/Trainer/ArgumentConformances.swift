public import ArgumentParser
public import Training

// Library types parsed from the command line. (Conformances of another module's public types are
// public, hence the public imports.)
extension TrainableParts: ExpressibleByArgument {
  public init?(argument: String) { self.init(parsing: argument) }
  public var defaultValueDescription: String { description }
}
