export { type GeneratorOptions, generateMemories, type SyntheticMemory } from "./generator.js";
export { type PairwiseScores, pairwiseScores } from "./quality.js";
export { createJob, createProject, insertMemories, type SeedEmbeddings } from "./seed.js";
