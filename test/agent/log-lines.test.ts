// Log file formats to stored lines: raw output stamped when read, CRI k8s-file and docker json-file, partial lines joined.
import { describe, expect, it } from 'vitest';
import { MAX_LINE, parseLog, type ParseState } from '../../src/agent/log-lines';

const now = () => new Date('2026-11-28T10:00:00.000Z');
const fresh = (): ParseState => ({ partial: '' });

describe('log lines', () => {
  it('stamps raw output line by line and leaves a growing last line for later', () => {
    const st = fresh();
    const r = parseLog(Buffer.from('one\ntwo\r\nthr'), 'raw', st, false, now);
    expect(r.lines).toEqual(['2026-11-28T10:00:00.000Z one', '2026-11-28T10:00:00.000Z two']);
    expect(r.consumed).toBe(9);
    const end = parseLog(Buffer.from('three'), 'raw', st, true, now);
    expect(end).toEqual({ lines: ['2026-11-28T10:00:00.000Z three'], consumed: 5 });
  });

  it('joins CRI partial records (P) until the full one (F), keeping the first timestamp', () => {
    const st = fresh();
    const text = [
      '2026-11-28T09:00:00.1Z stdout P hel',
      '2026-11-28T09:00:00.2Z stdout F lo',
      '2026-11-28T09:00:01Z stderr F oops',
      '2026-11-28T09:00:02Z stdout F half',
    ].join('\n');
    const r = parseLog(Buffer.from(text), 'cri', st, false, now);
    expect(r.lines).toEqual(['2026-11-28T09:00:00.1Z hello', '2026-11-28T09:00:01Z oops']);
    // The last record has no newline yet: it is read again next time.
    expect(r.consumed).toBe(text.lastIndexOf('\n') + 1);
  });

  it('reads docker json-file records', () => {
    const text =
      '{"log":"a\\n","stream":"stdout","time":"2026-11-28T09:00:00Z"}\n{"log":"b","stream":"stdout","time":"2026-11-28T09:00:01Z"}\n{"log":"c\\n","stream":"stdout","time":"2026-11-28T09:00:02Z"}\n';
    expect(parseLog(Buffer.from(text), 'docker-json', fresh(), false, now).lines).toEqual([
      '2026-11-28T09:00:00Z a',
      '2026-11-28T09:00:01Z bc',
    ]);
  });

  it('cuts an endless line into pieces instead of holding it', () => {
    const long = 'x'.repeat(MAX_LINE * 2 + 10);
    const r = parseLog(Buffer.from(long), 'raw', fresh(), false, now);
    expect(r.lines.map((l) => l.length - '2026-11-28T10:00:00.000Z '.length)).toEqual([
      MAX_LINE,
      MAX_LINE,
      10,
    ]);
  });
});
