/** A one-argument function remembering its results; the memory is emptied whenever it holds `max` of them. */
export function memoize<V>(compute: (key: string) => V, max = 100_000): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let out = cache.get(key);
    if (out === undefined) {
      if (cache.size >= max) cache.clear();
      out = compute(key);
      cache.set(key, out);
    }
    return out;
  };
}
