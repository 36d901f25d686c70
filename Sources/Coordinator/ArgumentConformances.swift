public import ArgumentParser
public import Games
public import Model
public import Pipeline

// Library enums parsed from the command line. (Conformances of another module's public types are
// public, hence the public imports.)
extension LocOrder: ExpressibleByArgument {}
extension UnparsablePolicy: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension RefBoxMode: ExpressibleByArgument {}
extension SentenceField: ExpressibleByArgument {}
extension GameInstructionStyle: ExpressibleByArgument {}
extension VQABenchmark: ExpressibleByArgument {}
extension GenPVPExportOrder: ExpressibleByArgument {}
