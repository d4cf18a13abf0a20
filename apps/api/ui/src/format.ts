/** A timestamp in the reader's locale, or an em dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Seconds as "1.2 s" / "3 min 4 s". */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value < 60) return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

/** A 0..1 fraction as a percentage. */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** The first eight characters of an id. */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}
