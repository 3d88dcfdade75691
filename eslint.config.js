// ESLint locks in the module boundaries of DESIGN.md §2, and nothing else (no style rules):
// the workers and the agent speak only the Kubernetes API, api/ and lib/ are leaves, registry/ is pure.
// Import specifiers are matched as written, so each rule is spelled once per folder depth (a file in
// src/agent/runtimes/ reaches src/server as `../../server`, one in src/agent/ as `../server`).
import tsParser from '@typescript-eslint/parser';
import tsPlugin from '@typescript-eslint/eslint-plugin';

const MAX_DEPTH = 6;
const up = (n) => `(\\.\\./){${n}}`;
const dirs = (names) => `(${names.join('|')})(/|$)`;
const CLOUDFLARE = {
  regex: '^cloudflare:',
  message: 'Node-side code never imports cloudflare:* (DESIGN.md §2).',
};

/**
 * One config object per depth below `dir` (depth 1 is `dir/x.ts`). `patterns(depth)` answers the
 * no-restricted-imports patterns for a file at that depth, whose path back to `dir`'s parent is
 * `../` repeated `depth` times.
 */
function boundary(dir, patterns) {
  return Array.from({ length: MAX_DEPTH }, (_, i) => ({
    files: [`${dir}/${'*/'.repeat(i)}*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns(i + 1) }] },
  }));
}

/** A leaf folder directly under src/: nothing of ours from outside it (packages are fine). */
const leaf =
  (name, extra = []) =>
  (depth) => [
    ...extra,
    {
      regex: `^${up(depth)}`,
      message: `src/${name} imports nothing of ours outside itself (DESIGN.md §2).`,
    },
  ];

export default [
  { ignores: ['node_modules/**', '.edgeplane/**', '**/build/**', 'migrations/**'] },
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { '@typescript-eslint': tsPlugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // The scheduler and controllers reach the cluster through the API only: src/client, src/api, src/lib.
  ...boundary('workers', () => [
    {
      regex: '(^|/)src(/(?!(api|client|lib)(/|$))|$)',
      message:
        'workers/ import only src/client, src/api and src/lib: they speak the Kubernetes API, never server or storage code.',
    },
  ]),

  // The agent is a Kubernetes API client on an ordinary machine.
  ...boundary('src/agent', (depth) => [
    CLOUDFLARE,
    {
      regex: `^${up(depth)}${dirs(['server', 'storage', 'watch'])}`,
      message:
        'src/agent never imports server, storage or watch code: it speaks the Kubernetes API.',
    },
  ]),
  ...boundary('src/cli', () => [CLOUDFLARE]),

  // registry/ is pure: strategies, validation and defaulting, with no storage, serving or Workers runtime.
  ...boundary('src/registry', (depth) => [
    CLOUDFLARE,
    {
      regex: `^${up(depth)}${dirs(['server', 'storage', 'watch', 'agent', 'cli'])}`,
      message: 'src/registry is pure: no storage, server, watch, agent or CLI imports.',
    },
  ]),

  ...boundary('src/api', leaf('api', [CLOUDFLARE])),
  // lib/labels.ts converts metav1.LabelSelector, whose type lives in src/api: a type-only import
  // leaves no runtime edge, so it is the one exception (upstream keeps that converter in meta/v1).
  ...boundary('src/lib', (depth) => [
    CLOUDFLARE,
    {
      regex: `^${up(depth)}api(/|$)`,
      allowTypeImports: true,
      message: 'src/lib may import only types from src/api.',
    },
    {
      regex: `^${up(depth)}(?!api(/|$))`,
      message: 'src/lib imports nothing of ours outside itself (DESIGN.md §2).',
    },
  ]),
];
