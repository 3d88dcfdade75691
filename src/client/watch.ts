// Watch streams: one HTTP response of newline-delimited JSON events, read as an async iterator.
import type { WatchEvent } from '../api/types';
import { resolveResource, resourceUrl, type ResourceRef } from './paths';

/** Sends a request to the API and answers its 2xx Response, or throws ApiStatusError (KubeClient.raw). */
export type RawRequest = (
  method: string,
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<Response>;

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** Server-side limit on the stream's life; the stream then ends cleanly and the caller rewatches. */
  timeoutSeconds?: number;
  /** Aborting ends the iteration quietly. */
  signal?: AbortSignal;
}

export class WatchStreamError extends Error {
  override name = 'WatchStreamError';
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

function parseLine<T>(line: string): WatchEvent<T> {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new WatchStreamError(`watch stream sent a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const e = event as WatchEvent<T>;
  if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || !('object' in e)) {
    throw new WatchStreamError(
      `watch stream sent something that is not an event: ${line.slice(0, 200)}`,
    );
  }
  return e;
}

/**
 * Events from a watch response body. A line is only delivered once its newline arrived (chunks may
 * split a line anywhere); a stream that ends inside a line throws, since that event was lost and
 * the caller must resume from the last event it did get.
 */
export async function* readWatchEvents<T = unknown>(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<WatchEvent<T>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (isAbort(err, signal)) return;
        throw err;
      }
      if (chunk.done) break;
      pending += decoder.decode(chunk.value, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) yield parseLine<T>(line);
      }
    }
    pending += decoder.decode();
    const rest = pending.trim();
    if (!rest) return;
    // The last event may lack its newline; a complete JSON object is still a whole event.
    let complete = true;
    try {
      JSON.parse(rest);
    } catch {
      complete = false;
    }
    if (!complete) throw new WatchStreamError('watch stream ended in the middle of an event');
    yield parseLine<T>(rest);
  } finally {
    // Breaking out of the loop must release the connection.
    reader.cancel().catch(() => {});
  }
}

/** Opens a watch and yields its events, ERROR events included (their object is a Status). */
export async function* watch<T = unknown>(
  request: RawRequest,
  resource: ResourceRef,
  opts: WatchOptions = {},
): AsyncGenerator<WatchEvent<T>> {
  const { namespace, signal, ...query } = opts;
  const url = resourceUrl(resolveResource(resource), { namespace }, { ...query, watch: true });
  let response: Response;
  try {
    response = await request('GET', url, { signal });
  } catch (err) {
    if (isAbort(err, signal)) return;
    throw err;
  }
  if (!response.body) throw new WatchStreamError('watch response has no body');
  yield* readWatchEvents<T>(response.body, signal);
}
