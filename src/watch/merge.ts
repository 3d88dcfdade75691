// Merges several async streams into one, in arrival order; ends when any of them ends.

export async function* mergeStreams<T>(
  streams: AsyncIterator<T>[],
): AsyncGenerator<{ index: number; value: T }> {
  const next = (i: number) => {
    const p = streams[i].next().then((r) => ({ i, r }));
    // A stream abandoned after the merge ends may still reject (aborted fetch): that is expected.
    p.catch(() => undefined);
    return p;
  };
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  streams.forEach((_, i) => pending.set(i, next(i)));
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values());
    // One partition's stream ending means its hub cut us off: end the whole watch so the
    // client resumes every partition from the last position it saw.
    if (r.done) return;
    pending.set(i, next(i));
    yield { index: i, value: r.value };
  }
}
