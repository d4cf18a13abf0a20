import { readFile } from "node:fs/promises";
import { type Calibration, calibrateThresholds, type LabelledPair } from "@memcons/consolidation-core";
import { MemconsError } from "@memcons/models";
import { loadConfig } from "../../common/config.js";
import { createProviders } from "../../common/providers.js";
import { json } from "../format.js";
import type { CliIo } from "../io.js";
import type { Command } from "../parse.js";

/** A pairs file line that is not `text<TAB>text<TAB>label`. */
export class PairsFileError extends MemconsError {
  constructor(message: string) {
    super("invalid_pairs_file", message);
  }
}

const LABELS: Record<string, boolean> = { "1": true, "0": false, true: true, false: false, yes: true, no: false };

/** Parses a pairs file: one `text<TAB>text<TAB>label` (1/0, true/false, yes/no) a line; a first line without a label is a header. */
export function parsePairs(text: string, file: string): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const fields = line.split("\t");
    const label = LABELS[(fields[2] ?? "").trim().toLowerCase()];
    if (i === 0 && label === undefined) return; // header
    if (fields.length < 3 || label === undefined || !fields[0]?.trim() || !fields[1]?.trim()) {
      throw new PairsFileError(`${file}:${i + 1}: expected text<TAB>text<TAB>label (1 or 0), got '${line.slice(0, 80)}'`);
    }
    pairs.push({ a: fields[0], b: fields[1], same: label });
  });
  if (pairs.length === 0) throw new PairsFileError(`${file}: no labelled pairs`);
  return pairs;
}

/** `memcons calibrate`: precision/recall/F1 of the configured embedder by threshold on labelled pairs, and the thresholds to use. */
export async function calibrateCommand(cmd: Extract<Command, { name: "calibrate" }>, io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  let text: string;
  try {
    text = await readFile(cmd.pairsFile, "utf8");
  } catch (error) {
    throw new PairsFileError(`cannot read ${cmd.pairsFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const pairs = parsePairs(text, cmd.pairsFile);
  const { embedder } = createProviders(config);
  const result = await calibrateThresholds(embedder, pairs, {
    precision: cmd.precision,
    reviewPrecision: cmd.reviewPrecision,
    signal: io.shutdown,
  });
  io.stdout.write(cmd.json ? json(result) : formatCalibration(result, cmd.precision, cmd.reviewPrecision));
  return 0;
}

/** A table of precision, recall and F1 by threshold, then the recommended thresholds. */
export function formatCalibration(c: Calibration, precision: number, reviewPrecision: number): string {
  const lines = [
    `embedder ${c.embedder}: ${c.pairs} pairs, ${c.positives} labelled same, ${c.guard_stopped} kept apart by the contradiction guard`,
    "threshold  precision  recall  f1      merged",
  ];
  for (const s of c.scores) {
    lines.push(
      `${s.threshold.toFixed(2).padEnd(11)}${s.precision.toFixed(4).padEnd(11)}${s.recall.toFixed(4).padEnd(8)}${s.f1.toFixed(4).padEnd(8)}${s.merged}`,
    );
  }
  lines.push(
    c.similarity_threshold === null
      ? `similarity_threshold: none of the thresholds reaches precision ${precision}`
      : `similarity_threshold: ${c.similarity_threshold.toFixed(2)} (precision ≥ ${precision} from there on)`,
    c.review_threshold === null
      ? `review_threshold: none below the similarity threshold reaches precision ${reviewPrecision}`
      : `review_threshold: ${c.review_threshold.toFixed(2)} (precision ≥ ${reviewPrecision} from there on)`,
  );
  return `${lines.join("\n")}\n`;
}
