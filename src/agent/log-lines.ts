// Container log files to "<RFC3339Nano> <text>" lines, the form the API's LogStore keeps (pure).
// k8s: pkg/kubelet/kuberuntime/logs/logs.go (CRI format, partial lines joined until a full one).

export type LogFormat = 'raw' | 'cri' | 'docker-json';

export interface ParseState {
  /** Text of a line whose end has not arrived yet. */
  partial: string;
  /** The timestamp the partial line started with. */
  partialTime?: string;
}

/** Lines longer than this are cut and shipped in pieces, so one endless line cannot grow without bound. */
export const MAX_LINE = 16 * 1024;

export interface Parsed {
  lines: string[];
  /** Bytes of the input that were used; the rest (half a record) is read again next time. */
  consumed: number;
}

function stampNow(now: () => Date): string {
  return now().toISOString();
}

function pushText(
  out: string[],
  state: ParseState,
  time: string,
  text: string,
  complete: boolean,
): void {
  const t = state.partial ? (state.partialTime ?? time) : time;
  const full = state.partial + text;
  if (!complete && full.length < MAX_LINE) {
    state.partial = full;
    state.partialTime = t;
    return;
  }
  for (let i = 0; i < full.length || i === 0; i += MAX_LINE)
    out.push(`${t} ${full.slice(i, i + MAX_LINE)}`);
  state.partial = '';
  state.partialTime = undefined;
}

/**
 * Parses whole records from `chunk` (bytes read from the file). A raw file has no record
 * boundaries but newlines, and no timestamps: each line is stamped when read. `eof` flushes a
 * partial line (the container has exited, nothing more will come).
 */
export function parseLog(
  chunk: Buffer,
  format: LogFormat,
  state: ParseState,
  eof: boolean,
  now: () => Date = () => new Date(),
): Parsed {
  const lines: string[] = [];
  let consumed = 0;
  let nl: number;
  while ((nl = chunk.indexOf(0x0a, consumed)) >= 0) {
    const record = chunk.subarray(consumed, nl).toString('utf8');
    consumed = nl + 1;
    if (format === 'raw') {
      pushText(lines, state, stampNow(now), record.replace(/\r$/, ''), true);
    } else if (format === 'cri') {
      // <time> <stream> <tag> <text>; tag F ends a line, P continues it.
      const a = record.indexOf(' ');
      const b = record.indexOf(' ', a + 1);
      const c = record.indexOf(' ', b + 1);
      if (a < 0 || b < 0) continue;
      const tag = c < 0 ? record.slice(b + 1) : record.slice(b + 1, c);
      const text = c < 0 ? '' : record.slice(c + 1);
      pushText(lines, state, record.slice(0, a), text, !tag.startsWith('P'));
    } else {
      try {
        const j = JSON.parse(record) as { log?: string; time?: string };
        const text = j.log ?? '';
        const complete = text.endsWith('\n');
        pushText(
          lines,
          state,
          j.time ?? stampNow(now),
          complete ? text.slice(0, -1) : text,
          complete,
        );
      } catch {
        // a record we cannot read is skipped, not shipped as garbage
      }
    }
  }
  if (format === 'raw' && consumed < chunk.length) {
    // A raw file's last line may still be growing: keep it unless the container is done or it is huge.
    const rest = chunk.subarray(consumed).toString('utf8');
    if (eof || rest.length >= MAX_LINE) {
      pushText(lines, state, stampNow(now), rest, true);
      consumed = chunk.length;
    }
  } else if (eof && state.partial) {
    pushText(lines, state, state.partialTime ?? stampNow(now), '', true);
  }
  return { lines, consumed };
}
