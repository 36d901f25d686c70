/// How the rows of one training sequence group attend: the first `shared` rows form one
/// sequence (causal or bidirectional); then `groups` suffixes of `suffix` rows each, where suffix
/// row `t` of a group sees all shared rows and rows `0...t` of its own group. This is the
/// decoder's prompt layout (image prefix shared by many questions) computed exactly, once.
struct AttentionShape: Sendable, Equatable {
  var shared: Int
  var groups: Int = 0
  var suffix: Int = 0
  var causal: Bool

  var rows: Int { shared + groups * suffix }
  /// Columns of a suffix row's score row: the shared keys then the group's own keys.
  var suffixWidth: Int { shared + suffix }
  /// Attention probabilities kept per head: `shared x shared` then `groups*suffix x suffixWidth`.
  var probabilitiesPerHead: Int { shared * shared + groups * suffix * suffixWidth }
}
