import ArgumentParser

@main
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pixelprobe-train",
    abstract: "Train the native vision-language model on the CPU (PVP pre-training, staged).",
    discussion:
      "The whole Table-2 experiment: ops/experiment.sh (see docs/training.md); imitation for Table 4: ops/imitate.sh (docs/games.md).",
    subcommands: [
      MakeCorpusCommand.self, PretrainEncoderCommand.self, TrainStageCommand.self, ImitateCommand.self,
    ])
}
