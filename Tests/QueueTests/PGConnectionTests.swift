import Foundation
import Queue
import Testing

@Suite(.enabled(if: !TestDatabase.skipped, "PIXELPROBE_SKIP_DB_TESTS=1"))
struct PGConnectionTests {
  @Test func parametersAndTypedAccessorsRoundTrip() throws {
    let connection = try TestDatabase.connect()
    let rows = try connection.query(
      "SELECT $1::bigint, $2::text, $3::float8, $4::bool, $5::text, $6::int, -$1::bigint",
      [
        .int(9_007_199_254_740_993), .text("héllo\t\"wörld\"\n"), .double(-2.5), .bool(true), .null,
        .int(-7),
      ])
    #expect(rows.count == 1 && rows.columnCount == 7)
    #expect(rows.int64(0, 0) == 9_007_199_254_740_993)
    #expect(rows.string(0, 1) == "héllo\t\"wörld\"\n")
    #expect(rows.double(0, 2) == -2.5)
    #expect(rows.bool(0, 3) == true)
    #expect(rows.isNull(0, 4) && rows.string(0, 4) == nil)
    #expect(rows.int(0, 5) == -7)
    #expect(rows.int64(0, 6) == -9_007_199_254_740_993)
  }

  @Test func preparedStatementsAreReusedPerConnection() throws {
    let connection = try TestDatabase.connect()
    for n in 1...3 {
      let rows = try connection.query("SELECT $1::int * 2", [.int(Int64(n))], prepared: true)
      #expect(rows.int(0, 0) == n * 2)
    }
    let other = try connection.query("SELECT $1::text || '!'", [.text("hi")], prepared: true)
    #expect(other.string(0, 0) == "hi!")
    let count = try connection.query(
      "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::%'")
    #expect(count.int(0, 0) == 2)
  }

  @Test func byteaGoesInBinaryAndComesBackInBothFormats() throws {
    let connection = try TestDatabase.connect()
    let bytes: [UInt8] = Array(0...255) + [0, 92, 120, 0]
    let text = try connection.query("SELECT $1::bytea, length($1::bytea)", [.bytes(bytes)])
    #expect(text.bytes(0, 0) == bytes)
    #expect(text.int(0, 1) == bytes.count)
    let binary = try connection.query(
      "SELECT $1::bytea, 42::int4, (-3)::int2, 1.5::float8, true", [.bytes(bytes)],
      binaryResult: true)
    #expect(binary.bytes(0, 0) == bytes)
    #expect(binary.int(0, 1) == 42 && binary.int(0, 2) == -3)
    #expect(binary.double(0, 3) == 1.5 && binary.bool(0, 4) == true)
  }

  @Test func arrayParametersQuoteTheirElements() throws {
    let connection = try TestDatabase.connect()
    let strings: [String?] = ["a,b", "quote\"d", "back\\slash", "{brace}", nil, "", " space "]
    let rows = try connection.query(
      "SELECT e, n FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n",
      [.array(strings)])
    #expect((0..<rows.count).map { rows.string($0, 0) } == strings)
    let numbers = try connection.query("SELECT sum(x) FROM unnest($1::bigint[]) x", [.array([1, -2, 40])])
    #expect(numbers.int(0, 0) == 39)
  }

  @Test func copyInEscapesTabsNewlinesBackslashesAndNull() throws {
    let connection = try TestDatabase.connect()
    try connection.execute("CREATE TEMP TABLE copied (n int, t text, b bytea)")
    let values: [[PGValue]] = [
      [1, "tab\there", .bytes([0, 9, 10, 92])],
      [2, "new\nline\r\nback\\slash", .null],
      [3, .null, .bytes([])],
      [4, "\\N is text, not NULL", .bytes([255])],
    ]
    let count = try connection.copyIn("COPY copied (n, t, b) FROM STDIN", rows: values)
    #expect(count == 4)
    let rows = try connection.query("SELECT n, t, b FROM copied ORDER BY n")
    #expect(rows.count == 4)
    #expect(rows.string(0, 1) == "tab\there" && rows.bytes(0, 2) == [0, 9, 10, 92])
    #expect(rows.string(1, 1) == "new\nline\r\nback\\slash" && rows.isNull(1, 2))
    #expect(rows.isNull(2, 1) && rows.bytes(2, 2) == [])
    #expect(rows.string(3, 1) == "\\N is text, not NULL" && rows.bytes(3, 2) == [255])
  }

  @Test func copyInReportsABadRowAndTheConnectionStaysUsable() throws {
    let connection = try TestDatabase.connect()
    try connection.execute("CREATE TEMP TABLE strict (n int NOT NULL)")
    #expect(throws: PGError.self) {
      try connection.copyIn("COPY strict (n) FROM STDIN", rows: [[1], ["not a number"]])
    }
    #expect(try connection.query("SELECT count(*) FROM strict").int(0, 0) == 0)
  }

  @Test func transactionRollsBackWhenTheBodyThrows() throws {
    let connection = try TestDatabase.connect()
    try connection.execute("CREATE TEMP TABLE t (n int)")
    struct Boom: Error {}
    #expect(throws: Boom.self) {
      try connection.transaction { c in
        try c.execute("INSERT INTO t VALUES (1)")
        throw Boom()
      }
    }
    try connection.transaction { c in try c.execute("INSERT INTO t VALUES (2)") }
    #expect(try connection.query("SELECT array_agg(n)::text FROM t").string(0, 0) == "{2}")
  }

  @Test func nestedTransactionsAreSavepoints() throws {
    let connection = try TestDatabase.connect()
    try connection.execute("CREATE TEMP TABLE nested (n int)")
    struct Inner: Error {}
    try connection.transaction { outer in
      try outer.execute("INSERT INTO nested VALUES (1)")
      #expect(throws: Inner.self) {
        try outer.transaction { inner in
          try inner.execute("INSERT INTO nested VALUES (2)")
          throw Inner()
        }
      }
      try outer.transaction { inner in try inner.execute("INSERT INTO nested VALUES (3)") }
    }
    #expect(try connection.query("SELECT array_agg(n ORDER BY n)::text FROM nested").string(0, 0) == "{1,3}")
    struct Outer: Error {}
    #expect(throws: Outer.self) {
      try connection.transaction { outer in
        try outer.transaction { inner in try inner.execute("INSERT INTO nested VALUES (4)") }
        throw Outer()
      }
    }
    #expect(try connection.query("SELECT count(*) FROM nested").int(0, 0) == 2)
  }

  @Test func aSwallowedErrorInsideATransactionMakesCommitFail() throws {
    let connection = try TestDatabase.connect()
    #expect(throws: PGError.self) {
      try connection.transaction { c in
        _ = try? c.execute("SELECT 1/0")
      }
    }
    #expect(try connection.query("SELECT 1").int(0, 0) == 1)
  }

  @Test func serverErrorsCarrySQLSTATEAndStatement() throws {
    let connection = try TestDatabase.connect()
    let error = try #require(throws: PGError.self) {
      try connection.query("SELECT * FROM no_such_table_here")
    }
    #expect(error.code == .query)
    #expect(error.sqlstate == "42P01")
    #expect(error.description.contains("no_such_table_here"))
    #expect(!error.description.contains("\n"))
  }

  @Test func notificationsArriveOnTheListeningConnection() throws {
    let listener = try TestDatabase.connect()
    let sender = try TestDatabase.connect()
    let channel = "pp_test_\(UUID().uuidString.prefix(8).lowercased())"
    try listener.listen(channel)
    #expect(try listener.waitForNotification(timeout: 0.05) == nil)
    try sender.notify(channel, payload: "hello")
    let note = try #require(try listener.waitForNotification(timeout: 5))
    #expect(note.channel == channel && note.payload == "hello")
    #expect(note.serverProcessID == sender.serverProcessID)
  }

  @Test func aTerminatedBackendIsDetectedAsBroken() throws {
    let victim = try TestDatabase.connect()
    let killer = try TestDatabase.connect()
    try killer.query("SELECT pg_terminate_backend($1)", [.int(Int64(victim.serverProcessID))])
    Thread.sleep(forTimeInterval: 0.1)
    let error = try #require(throws: PGError.self) { try victim.query("SELECT 1") }
    #expect(error.code == .connectionLost)
    #expect(error.isTransient)
    #expect(victim.isBroken)
  }

  @Test func unreachableServerFailsAfterRetriesNamingTheTargetButNotThePassword() throws {
    let directory = "/tmp/pixelprobe-no-server-\(UUID().uuidString.prefix(8))"
    let url = "postgresql://alice:s3cretpw@/appdb?host=\(directory)&port=5999"
    let policy = RetryPolicy(initialDelay: 0.05, maxDelay: 0.1, jitter: 0, maxAttempts: 3)
    let started = Date()
    let error = try #require(throws: PGError.self) {
      try PGConnection.connect(url: url, logger: TestDatabase.logger, retry: policy)
    }
    // Two waits of 0.05 s and 0.1 s between three attempts.
    #expect(Date().timeIntervalSince(started) >= 0.15)
    let text = error.description
    #expect(error.code == .connect)
    #expect(text.contains("3 attempt(s)"))
    for part in ["host=\(directory)", "port=5999", "dbname=appdb", "user=alice"] {
      #expect(text.contains(part), "missing \(part) in: \(text)")
    }
    #expect(!text.contains("s3cretpw"))
    #expect(!text.contains("\n"))
  }

  @Test func anInvalidConnectionStringFailsAtOnce() throws {
    let error = try #require(throws: PGError.self) {
      try PGConnection.connect(url: "postgresql://h/db?nonsense_option=1", logger: TestDatabase.logger)
    }
    #expect(error.code == .connect)
    #expect(error.description.contains("invalid connection string"))
  }

  /// libpq quotes the part of a connection string it cannot parse; none of it may be the password.
  @Test(arguments: [
    "postgresql://alice:p%zzS3cr3tPW@localhost:1/db",
    "postgresql://alice:S3cr3tPW@[::1:1/db",
    "postgresql://alice@localhost:1/db?password=S3cr3tPW&port=x",
    "host=localhost port=1 password='S3cr3tPW",
    "host=localhost port=nope password=S3cr3tPW",
    "postgresql://alice:S3cr3t%50W@localhost:1/db?connect_timeout=1",
  ])
  func connectionErrorsNeverShowThePassword(url: String) throws {
    let policy = RetryPolicy(initialDelay: 0, maxDelay: 0, maxAttempts: 1)
    let error = try #require(throws: PGError.self) {
      try PGConnection.connect(url: url, logger: TestDatabase.logger, retry: policy)
    }
    #expect(error.code == .connect)
    for secret in ["S3cr3tPW", "S3cr3t%50W", "p%zzS3cr3tPW"] {
      #expect(!error.description.contains(secret), "\(error)")
    }
  }

  @Test func redactionFindsThePasswordInEveryForm() {
    #expect(
      PGConnection.secrets(inConnectionString: "postgresql://u:a%40b@h/d") == ["a%40b", "a@b"])
    #expect(
      PGConnection.secrets(inConnectionString: "postgresql://u@h/d?password=x%20y") == ["x%20y", "x y"])
    #expect(PGConnection.secrets(inConnectionString: "host=h password = 'it\\'s' user=u").contains("it's"))
    #expect(PGConnection.secrets(inConnectionString: "postgresql://u@h/d?sslmode=require").isEmpty)
    #expect(PGConnection.secrets(inConnectionString: "host=h user=u").isEmpty)
    #expect(
      PGConnection.redacting("bad token \"pw%zz\" and pw%zz", secretsOf: "postgres://u:pw%zz@h")
        == "bad token \"***\" and ***")
  }

  @Test func connectionsCarryAnApplicationNameUnlessTheURLSetsOne() throws {
    let url = try TestDatabase.url()
    let named = try PGConnection.connect(
      url: url, logger: TestDatabase.logger, applicationName: "pixelprobe-test")
    #expect(try named.query("SHOW application_name").string(0, 0) == "pixelprobe-test")
    let chosen = try PGConnection.connect(
      url: TestDatabase.withOption(url, "application_name", "mine"), logger: TestDatabase.logger,
      applicationName: "pixelprobe-test")
    #expect(try chosen.query("SHOW application_name").string(0, 0) == "mine")
  }

  /// Settings in the URL reach libpq as they are (TLS ones included; the TLS handshake itself is
  /// tested against a server with a certificate in PipelineTests).
  @Test func urlSettingsReachLibpq() throws {
    let url = try TestDatabase.url()
    let error = try #require(throws: PGError.self) {
      try PGConnection.connect(
        url: TestDatabase.withOption(url, "sslmode", "bogus"), logger: TestDatabase.logger)
    }
    #expect(error.description.contains("sslmode"))
    let timeout = try PGConnection.connect(
      url: TestDatabase.withOption(url, "options", "-cstatement_timeout=4321"), logger: TestDatabase.logger)
    #expect(try timeout.query("SHOW statement_timeout").string(0, 0) == "4321ms")
  }
}
