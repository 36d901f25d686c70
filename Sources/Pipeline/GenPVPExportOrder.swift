/// The order `coordinator export` writes a gen-pvp job's questions in.
public enum GenPVPExportOrder: String, Sendable, CaseIterable {
  /// Question number order: the same bytes whatever the sharding (windowed passes).
  case index
  /// As stored: shard after shard, images in corpus order, each image's questions ascending.
  case shard
}
