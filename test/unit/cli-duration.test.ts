// Durations on the command line, as Go's time.ParseDuration reads the units kubelet's flags use.
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/args';

describe('parseDuration', () => {
  it('reads ms as milliseconds, not minutes followed by a stray s', () => {
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('1h2m3s500ms')).toBe(3723.5);
    expect(parseDuration('40')).toBe(40);
    expect(parseDuration('5x')).toBeUndefined();
  });
});
