// Line framing between a watch hub and the API Worker: one JSON object per line, values embedded raw.
import type { LogEvent } from '../storage/types';

export const HUB_CONTENT_TYPE = 'application/x-ndjson';

/**
 * A hub line: an event, a progress note, or the end of history. readLines with `raw` gives an
 * event without a previous version as its value's text (`raw`), unparsed.
 */
export type HubLine =
  | { rev: number; key: string; type: 0 | 1 | 2; value: unknown; prev?: unknown }
  | { rev: number; key: string; type: 0 | 1 | 2; raw: string }
  | { progress: number }
  | { expired: number };

/**
 * Stored values are JSON already; embedding them raw avoids escaping every object twice. The
 * previous version only serves watchers with selectors (an object leaving the selection is sent as
 * DELETED); `withPrev` false leaves it out, so a watcher without selectors neither carries nor
 * parses a second copy of every object. The value comes last, after a fixed header, so a reader
 * finds it without parsing it (splitEventLine).
 */
export function encodeHubLine(e: LogEvent, withPrev = true): string {
  let line = `{"rev":${e.rev},"key":${JSON.stringify(e.key)},"type":${e.type}`;
  if (withPrev && e.prev !== undefined) line += `,"prev":${e.prev}`;
  return line + `,"value":${e.value}}\n`;
}

const EVENT_HEADER = /^\{"rev":(\d+),"key":("(?:[^"\\]|\\.)*"),"type":([012]),"value":/;

/**
 * An event line without a previous version, split at its header: the value's text is the rest but
 * the closing brace. Undefined for anything else (progress, expiry, a line with `prev`).
 */
export function splitEventLine(
  line: string,
): { rev: number; key: string; type: 0 | 1 | 2; raw: string } | undefined {
  const m = EVENT_HEADER.exec(line);
  if (!m || line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
  return {
    rev: Number(m[1]),
    key: JSON.parse(m[2]) as string,
    type: Number(m[3]) as 0 | 1 | 2,
    raw: line.slice(m[0].length, -1),
  };
}

/** Splits a byte stream into lines: parsed, or with `raw` event values left as text where possible. */
export async function* readLines(
  body: ReadableStream<Uint8Array>,
  raw = false,
): AsyncGenerator<HubLine> {
  // Decoded here rather than through a TextDecoderStream: one stream hop less per chunk.
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        yield (raw && splitEventLine(line)) || (JSON.parse(line) as HubLine);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
