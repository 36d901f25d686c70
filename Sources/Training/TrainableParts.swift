import Foundation

/// The three parts of the model that a training stage can freeze or train.
public struct TrainableParts: OptionSet, Sendable, Codable, Hashable, CustomStringConvertible {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  public static let vision = TrainableParts(rawValue: 1)
  public static let connector = TrainableParts(rawValue: 2)
  public static let lm = TrainableParts(rawValue: 4)
  public static let all: TrainableParts = [.vision, .connector, .lm]

  /// `vision,connector,lm` (any subset, comma-separated; `none` for the empty set).
  public init?(parsing text: String) {
    var parts: TrainableParts = []
    for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      switch word {
      case "vision": parts.insert(.vision)
      case "connector": parts.insert(.connector)
      case "lm": parts.insert(.lm)
      case "none": break
      default: return nil
      }
    }
    self = parts
  }

  public var description: String {
    let names = [(TrainableParts.vision, "vision"), (.connector, "connector"), (.lm, "lm")]
      .filter { contains($0.0) }.map(\.1)
    return names.isEmpty ? "none" : names.joined(separator: ",")
  }
}

/// Low-rank adapters on the language model's projections: `W x + (alpha / rank) B A x`, with
/// `A` drawn small and `B` zero so training starts from the base model.
public struct LoRAConfig: Sendable, Codable, Equatable {
  public var rank: Int
  public var alpha: Float
  /// Which linears of every LM block get an adapter (`attn.qkv`, `attn.proj`, `mlp.fc1`, `mlp.fc2`).
  public var targets: [String]

  public static let allProjections = ["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"]

  public init(rank: Int, alpha: Float? = nil, targets: [String] = LoRAConfig.allProjections) {
    self.rank = rank
    self.alpha = alpha ?? Float(rank)
    self.targets = targets
  }

  public var scale: Float { alpha / Float(rank) }
}
