// Line framing between a watch hub and the API Worker: one JSON object per line, values embedded raw.
import type { LogEvent } from '../storage/types';

export const HUB_CONTENT_TYPE = 'application/x-ndjson';

/** A hub line: an event, a progress note, or the end of history. */
export type HubLine =
  | { rev: number; key: string; type: 0 | 1 | 2; value: unknown; prev?: unknown }
  | { progress: number }
  | { expired: number };

/**
 * Stored values are JSON already; embedding them raw avoids escaping every object twice. The
 * previous version only serves watchers with selectors (an object leaving the selection is sent as
 * DELETED); `withPrev` false leaves it out, so a watcher without selectors neither carries nor
 * parses a second copy of every object.
 */
export function encodeHubLine(e: LogEvent, withPrev = true): string {
  let line = `{"rev":${e.rev},"key":${JSON.stringify(e.key)},"type":${e.type},"value":${e.value}`;
  if (withPrev && e.prev !== undefined) line += `,"prev":${e.prev}`;
  return line + '}\n';
}

/** Splits a byte stream into parsed lines. */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<HubLine> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as HubLine;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
