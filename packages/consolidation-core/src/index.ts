export type {
  ConsolidationProgress,
  ConsolidationResult,
  Embedder,
  RollbackResult,
  RunConsolidationDeps,
  SynthesisResult,
  Synthesizer,
} from "./types.js";
export {
  AIProviderError,
  AlreadyRolledBackError,
  ConsolidationAbortedError,
  EmbeddingDimensionError,
  JobNotFinishedError,
  JobNotRunnableError,
  RollbackConflictError,
  RollbackWindowExpiredError,
} from "./errors.js";
export {
  InvalidOptionsError,
  JobNotFoundError,
  ProjectNotFoundError,
  ConsolidationOptionsSchema,
  type ConsolidationOptions,
} from "@memcons/models";
export { cosineSimilarity } from "./embedding/cosine.js";
export { createHashingEmbedder, type HashingEmbedderOptions, parseHashingModel } from "./embedding/hashing.js";
export { normalizedStems } from "./embedding/normalize.js";
export {
  type Calibration,
  type CalibrateOptions,
  calibrateThresholds,
  type LabelledPair,
  pairSimilarities,
  type ThresholdScore,
} from "./calibrate.js";
export { createOpenAIEmbedder, type OpenAIEmbedderOptions } from "./embedding/openai.js";
export { createExtractiveSynthesizer } from "./synthesis/extractive.js";
export { createOpenAISynthesizer, type OpenAISynthesizerOptions } from "./synthesis/openai.js";
export { memoryText, mergeDistinctSentences, normalizeSentence, splitSentences } from "./text.js";
export { vectorJson } from "./context.js";
export {
  exhaustiveSimilarPairs,
  lshSimilarPairs,
  lshSimilarPairsAsync,
  type LshResult,
  type LshOptions,
  type SimilarPair,
  type VectorSet,
} from "./detect/lsh.js";
export { completeLinkageClusters, type Cluster } from "./detect/clusters.js";
export { seededRandom } from "./detect/random.js";
export { runConsolidation } from "./run.js";
export { rollbackJob, ROLLBACK_WINDOW_DAYS, type RollbackJobResult, type RollbackOptions } from "./rollback.js";
export {
  archiveMemories,
  DEFAULT_AUDIT_RETENTION_DAYS,
  type ManualChangeOptions,
  purgeAuditRecords,
  unarchiveMemories,
} from "./manual.js";
export {
  analyzeForGuard,
  compareForGuard,
  type ContradictionKind,
  type ContradictionReason,
  describeContradiction,
  findContradiction,
  type GuardAnalysis,
} from "./guard/contradiction.js";
export { type GuardedPairs, separateContradictions, type StoppedPair } from "./detect/guard.js";
export type { DetectResult } from "./phases/detect.js";
export { type ReembedOptions, type ReembedResult, reembedProject } from "./reembed.js";
