// The leaders' API client: every request is bounded in time, so a hung API call cannot stall a loop.
import { describe, expect, it } from 'vitest';
import { loopClient } from '../../workers/shared/api-client';
import { RequestTimeoutError } from '../../src/client/transport';

const never = () => new Promise<Response>(() => undefined);

describe('loop client', () => {
  it('fails a request the API never answers after the timeout, instead of waiting forever', async () => {
    const client = loopClient({ fetch: never }, { userAgent: 'test', timeoutMs: 200 });
    const t0 = Date.now();
    await expect(client.get('pods', 'p', { namespace: 'default' })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('fails a request whose body stalls after the headers arrived', async () => {
    const stalled = async () =>
      new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"kind":')) }),
        { status: 200 },
      );
    const client = loopClient({ fetch: stalled }, { userAgent: 'test', timeoutMs: 200 });
    await expect(client.list('pods')).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('lets a watch stream stay open past the timeout once its headers arrived', async () => {
    const enc = new TextEncoder();
    const slowWatch = async () =>
      new Response(
        new ReadableStream({
          async start(c) {
            await new Promise((r) => setTimeout(r, 400));
            c.enqueue(enc.encode('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n'));
            c.close();
          },
        }),
        { status: 200 },
      );
    const client = loopClient({ fetch: slowWatch }, { userAgent: 'test', timeoutMs: 200 });
    const seen: string[] = [];
    for await (const e of client.watch('pods', { resourceVersion: '1' }))
      seen.push((e.object as { metadata: { name: string } }).metadata.name);
    expect(seen).toEqual(['a']);
  });

  it('answers normally within the deadline, status codes and bodies intact', async () => {
    const ok = async () =>
      new Response(JSON.stringify({ kind: 'Pod', metadata: { name: 'p' } }), { status: 200 });
    const client = loopClient({ fetch: ok }, { userAgent: 'test', timeoutMs: 200 });
    expect((await client.get('pods', 'p', { namespace: 'default' })).metadata.name).toBe('p');
  });
});
