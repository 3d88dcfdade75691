// `edgeplane dev` refuses flags it does not know (a typo must not start a cluster with defaults),
// and `--help` after a command prints the usage instead of starting anything.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args';
import { devConfig } from '../../src/cli/dev';

const ROOT = path.resolve(__dirname, '..', '..');

describe('edgeplane dev flags', () => {
  it('takes the documented flags and refuses an unknown one or a stray argument', () => {
    expect(devConfig(parseArgs(['--port', '0', '--agents', '1', '--state', '/tmp/x'])).agents).toBe(
      1,
    );
    expect(() => devConfig(parseArgs(['--agent', '3']))).toThrow(UsageError);
    expect(() => devConfig(parseArgs(['--agents', '1', 'extra']))).toThrow(/unexpected argument/);
  });

  it('prints the usage for `dev --help` and exits without starting a cluster', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'dev', '--help'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: edgeplane <command>/);
  }, 90_000);
});
