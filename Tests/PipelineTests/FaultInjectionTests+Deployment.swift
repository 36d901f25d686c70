import Foundation
import Queue
import Testing

/// Deployment as the documentation describes it, on the fault cluster (it has TLS and a
/// password login): workers log in as a member of `pixelprobe_worker` with a password, over
/// TLS with the server's certificate verified, and the password shows up nowhere.
extension FaultInjectionTests {
  func secretURL(password: String, rootCert: String) throws -> String {
    let cluster = try FaultCluster.get()
    return
      "postgresql://\(cluster.passwordRole):\(password)@127.0.0.1:\(cluster.port)/pixelprobe?sslmode=verify-full&sslrootcert=\(rootCert)"
  }

  @Test func passwordWorkerRoleOverVerifiedTLSRunsBothJobKindsAndThePasswordShowsNowhere() throws {
    let cluster = try FaultCluster.get()
    try cluster.connect().execute("GRANT pixelprobe_worker TO \(cluster.passwordRole)")
    let url = try secretURL(password: cluster.password, rootCert: cluster.caFile)
    let model = "baseline:thumbnail?k=8"
    let run = try FaultRun("role", model: model)
    let images = try FaultSettings.standardImages()
    let pvp = try ProcessRunner.run(
      "coordinator",
      [
        "enqueue", "gen-pvp", "--images", images, "--questions", "3000", "--shard-size", "500",
        "--idempotency-key", "role-pvp-\(UUID().uuidString)",
      ], environment: run.environment)
    let pvpJob = try #require(
      Int64(pvp.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(pvp.stderr)")

    let worker = try run.startWorker("secret", ["--log-level", "trace"], environment: ["DATABASE_URL": url])
    var encrypted = false
    try run.waitUntil("the worker's TLS session") {
      let rows = try cluster.connect().query(
        """
        SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.usename = $1 AND s.ssl
        """, [.text(cluster.passwordRole)])
      encrypted = (rows.int(0, 0) ?? 0) > 0
      return encrypted
    }
    #expect(encrypted)
    #expect(try run.waitForJob() == "succeeded", "\(run.diagnostics())")
    try run.checkCountedOnce()
    try run.waitUntil("gen-pvp job \(pvpJob) to end") {
      try run.value("SELECT state FROM jobs WHERE id = $1", [.int(pvpJob)]) == "succeeded"
    }
    // Nothing on the command line (ps), nothing in a trace-level log.
    let commandLine = try String(contentsOfFile: "/proc/\(worker.pid)/cmdline", encoding: .utf8)
    #expect(!commandLine.contains(cluster.password))
    #expect(run.stopWorkers() == [0])
    #expect(!worker.log.isEmpty)
    #expect(!worker.log.contains(cluster.password))

    // The same job run by a superuser's worker gives the same report.
    let again = try FaultRun("role-check", model: model)
    try again.startWorker("admin")
    #expect(try again.waitForJob() == "succeeded")
    #expect(try again.report() == (try run.report()))
    #expect(again.stopWorkers() == [0])
    run.record(
      "workers as a password login in pixelprobe_worker, TLS verify-full",
      "eval-re and gen-pvp succeeded, password absent from ps and trace log")
  }

  @Test func aWrongPasswordOrAnUntrustedCertificateFailsAtOnceWithoutShowingThePassword() throws {
    let cluster = try FaultCluster.get()
    let wrong = "Wr0ng-\(UUID().uuidString.prefix(6))"
    let cases: [(url: String, says: String)] = [
      (try secretURL(password: wrong, rootCert: cluster.caFile), "password authentication failed"),
      (
        try secretURL(password: cluster.password, rootCert: "/etc/ssl/certs/ca-certificates.crt"),
        "certificate"
      ),
    ]
    for (url, says) in cases {
      let started = Date()
      let result = try ProcessRunner.run(
        "worker", ["--exit-when-idle"], environment: ["DATABASE_URL": url])
      #expect(result.status != 0)
      // Not retried: waiting does not change a password or a certificate.
      #expect(Date().timeIntervalSince(started) < 5)
      #expect(result.stderr.contains(says), "\(result.stderr)")
      #expect(!result.stderr.contains(wrong) && !result.stderr.contains(cluster.password))
      #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
      let status = try ProcessRunner.run("coordinator", ["status"], environment: ["DATABASE_URL": url])
      #expect(status.status != 0 && status.stderr.contains(says))
      #expect(!status.stderr.contains(wrong) && !status.stderr.contains(cluster.password))
    }
    // A password on the command line is called out (whatever the login may then read).
    let flagged = try ProcessRunner.run(
      "coordinator",
      ["status", "--database-url", try secretURL(password: cluster.password, rootCert: cluster.caFile)])
    #expect(flagged.stderr.hasPrefix("warning: --database-url holds a password"), "\(flagged.stderr)")
    #expect(!flagged.stdout.contains(cluster.password) && !flagged.stderr.contains(cluster.password))
  }
}
