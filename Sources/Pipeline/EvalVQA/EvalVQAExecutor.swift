import Imaging
public import Model
public import Queue
public import Shards

/// Runs one claimed eval-vqa shard: per image, one model call with all its questions (the image
/// is decoded and encoded once), each answer scored by the benchmark's rule (`VQAScoring`). The
/// raw answers go to the output shard; per-question rows to `vqa_question_results` in the
/// completing transaction.
public struct EvalVQAExecutor: ShardExecutor {
  public init() {}

  public func execute(_ shard: ClaimedShard, context: ExecutionContext) throws -> ShardOutput {
    let spec: EvalVQASpec = try JobSpec.decode(shard)
    let store = try BlobStores.parse(spec.store)
    let input = try ShardInput.open(shard, store: store, kind: .vqaInput, connection: context.connection)
    let model = try shard.model(spec.model)
    var writer = try ShardWriter(kind: .vqaOutput, metadata: #"{"kind":"eval-vqa","shard":\#(shard.index)}"#)
    var rows: [[PGValue]] = []
    var asked = 0
    while let record: VQAImageInput = try input.next() {
      if context.isCancelled() {
        throw ShardFailure(retryable: true, code: "cancelled", message: "\(shard.name): lease lost")
      }
      let scored = try score(record, spec: spec, model: model, shardName: shard.name)
      try writer.append(
        VQAImageOutput(
          image: record.image, ordinals: record.questions.map(\.ordinal), answers: scored.map(\.raw)))
      for (question, result) in zip(record.questions, scored) {
        rows.append(
          [
            .int(shard.jobID), .int(Int64(question.ordinal)), .int(Int64(shard.index)), .text(result.raw),
            .text(result.score.prediction), .text(result.score.normalized), .double(result.score.score),
            .double(result.score.exactScore), .bool(result.score.unparsable),
          ])
      }
      asked += record.questions.count
    }
    return try shard.output(
      writer.finish(), store: store, context: context, questions: asked,
      copy: """
        COPY vqa_question_results (job_id, ordinal, idx, answer, prediction, normalized, score,
          exact_score, unparsable) FROM STDIN
        """,
      rows: rows)
  }

  /// The questions of one image record, answered in one call and scored.
  public func score(
    _ record: VQAImageInput, spec: EvalVQASpec, model: any VisionLanguageModel, shardName: String
  ) throws -> [(raw: String, score: VQAScore)] {
    let rgb: RGBImage
    do {
      rgb = try ImageDecoder.decode(record.encoded, name: record.image, maxPixels: spec.maxPixels)
    } catch {
      throw ShardFailure(retryable: false, code: "bad-image", message: "\(shardName): \(error)")
    }
    let image = ModelImage(name: record.image, encoded: record.encoded, rgb: rgb, grid: 64)
    let truths = record.questions.map { question in
      VQATruth(
        answers: question.answers, choices: question.choices,
        answerIndex: question.answerIndex >= 0 ? question.answerIndex : nil)
    }
    let questions = zip(record.questions, truths).map { question, truth in
      ModelQuestion(
        text: question.prompt,
        task: .vqa(truth: VQAScoring.oracleAnswer(benchmark: spec.benchmark, truth: truth), prior: spec.prior)
      )
    }
    let answers = try ModelCall.answers(
      questions, model: model, image: image, context: "\(shardName): \(record.image)")
    return zip(answers, truths).map { answer, truth in
      (answer, VQAScoring.score(answer, benchmark: spec.benchmark, truth: truth))
    }
  }
}
