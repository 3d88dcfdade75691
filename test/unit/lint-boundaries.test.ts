// The module boundaries `npm run lint` enforces (eslint.config.js): each rule refuses what it should
// and lets through what the tree does today, so a rule cannot quietly stop matching.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cluster';

const eslint = new ESLint({ cwd: ROOT });

/** The boundary messages ESLint reports for `code` as if it lived at `file`. */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: [string, string][] = [
  ['workers/scheduler/x.ts', "import { a } from '../../src/server/app';"],
  ['workers/scheduler/plugins/x.ts', "import { a } from '../../../src/storage/shard';"],
  ['workers/controllers/x.ts', "import { a } from '../../src/registry/strategies';"],
  ['workers/x.ts', "import { a } from '../src';"],
  ['workers/shared/x.ts', "export { a } from '../../src/watch/hub';"],
  ['src/agent/x.ts', "import { a } from '../server/errors';"],
  ['src/agent/runtimes/x.ts', "import { a } from '../../storage/limits';"],
  ['src/agent/proxy/x.ts', "import type { A } from '../../watch/hub';"],
  ['src/agent/x.ts', "import { DurableObject } from 'cloudflare:workers';"],
  ['src/cli/x.ts', "import { env } from 'cloudflare:test';"],
  ['src/api/x.ts', "import { a } from '../lib/labels';"],
  ['src/api/protobuf/x.ts', "import { a } from '../../server/errors';"],
  ['src/lib/x.ts', "import { a } from '../api/resources';"],
  ['src/lib/x.ts', "import type { A } from '../registry/strategy';"],
  ['src/registry/x.ts', "import { a } from '../storage/store';"],
  ['src/registry/validate/x.ts', "import { a } from '../../server/errors';"],
];

const allowed: [string, string][] = [
  ['workers/scheduler/x.ts', "import { a } from '../../src/client/client';"],
  ['workers/controllers/deployment/x.ts', "import type { A } from '../../../src/api/types';"],
  ['workers/shared/x.ts', "import { a } from '../../src/lib/json';"],
  ['workers/shared/x.ts', "import { DurableObject } from 'cloudflare:workers';"],
  ['src/agent/runtimes/x.ts', "import { a } from '../../client/client';"],
  ['src/agent/runtimes/x.ts', "import { a } from '../watch';"],
  ['src/api/protobuf/x.ts', "import { a } from '../types';"],
  ['src/lib/x.ts', "import type { LabelSelector } from '../api/types';"],
  ['src/registry/schema/x.ts', "import { a } from '../../api/resources';"],
  ['src/server/x.ts', "import { a } from '../storage/store';"],
];

describe('npm run lint: module boundaries', () => {
  it.each(refused)('refuses in %s: %s', async (file, code) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^@typescript-eslint\/no-restricted-imports: /);
  });

  it.each(allowed)('allows in %s: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
