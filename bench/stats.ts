// Percentiles and payload sizing for the benchmarks (pure: runs in Node and inside workerd).

export interface Summary {
  count: number;
  p50: number;
  p99: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { count: s.length, p50: at(0.5), p99: at(0.99) };
}

/** Builds an object whose JSON is `bytes` long, by padding the one string `make` puts the pad in. */
export function sized<T>(make: (pad: string) => T, bytes: number): T {
  const bare = JSON.stringify(make('')).length;
  return make('x'.repeat(Math.max(0, bytes - bare)));
}
