import Foundation

extension PGConnection {
  /// `text` with every form of the password that `url` carries replaced by `***`. libpq echoes
  /// parts of a connection string it cannot parse (a bad percent escape, an unclosed IPv6
  /// bracket); the URL is never parsed with libpq here, since it may be the unparsable one.
  public static func redacting(_ text: String, secretsOf url: String) -> String {
    var result = text
    for secret in secrets(in: url).sorted(by: { $0.count > $1.count }) where secret.count >= 1 {
      result = result.replacingOccurrences(of: secret, with: "***")
    }
    return result
  }

  /// The password(s) a connection string holds, in every form it may be echoed (empty: none).
  public static func secrets(inConnectionString url: String) -> Set<String> {
    secrets(in: url)
  }

  /// The password of a URI (user info or `password=` query parameter) or of a `key=value`
  /// string, raw and percent-decoded.
  static func secrets(in url: String) -> Set<String> {
    var found: [String] = []
    if let scheme = url.range(of: "://") {
      let rest = url[scheme.upperBound...]
      if let at = rest.lastIndex(of: "@") {
        let userInfo = rest[..<at]
        if let colon = userInfo.firstIndex(of: ":") {
          found.append(String(userInfo[userInfo.index(after: colon)...]))
        }
      }
      if let query = rest.firstIndex(of: "?") {
        for pair in rest[rest.index(after: query)...].split(separator: "&") {
          let parts = pair.split(separator: "=", maxSplits: 1)
          if parts.count == 2, parts[0] == "password" { found.append(String(parts[1])) }
        }
      }
    } else {
      found += keywordPasswords(in: url)
    }
    var secrets = Set<String>()
    for raw in found where !raw.isEmpty {
      secrets.insert(raw)
      if let decoded = raw.removingPercentEncoding, !decoded.isEmpty { secrets.insert(decoded) }
    }
    return secrets
  }

  /// Values of `password` in a `key = value` string (quoted with '...' and backslash escapes, or
  /// bare up to white space), as written and unquoted.
  static func keywordPasswords(in text: String) -> [String] {
    let characters = Array(text)
    var found: [String] = []
    var index = 0
    func skipSpaces() {
      while index < characters.count, characters[index].isWhitespace { index += 1 }
    }
    while index < characters.count {
      skipSpaces()
      let keyStart = index
      while index < characters.count, characters[index] != "=", !characters[index].isWhitespace {
        index += 1
      }
      let key = String(characters[keyStart..<index])
      skipSpaces()
      guard index < characters.count, characters[index] == "=" else {
        index += 1
        continue
      }
      index += 1
      skipSpaces()
      let valueStart = index
      var value = ""
      if index < characters.count, characters[index] == "'" {
        index += 1
        while index < characters.count, characters[index] != "'" {
          if characters[index] == "\\", index + 1 < characters.count { index += 1 }
          value.append(characters[index])
          index += 1
        }
        index += 1
      } else {
        while index < characters.count, !characters[index].isWhitespace {
          value.append(characters[index])
          index += 1
        }
      }
      if key == "password" {
        found.append(value)
        found.append(String(characters[valueStart..<min(index, characters.count)]))
      }
    }
    return found
  }
}
