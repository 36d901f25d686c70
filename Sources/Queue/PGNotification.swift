/// A `NOTIFY` received on a channel the connection listens to.
public struct PGNotification: Sendable, Hashable {
  public var channel: String
  public var payload: String
  /// The server process that sent it.
  public var serverProcessID: Int32
}
