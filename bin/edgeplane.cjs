#!/usr/bin/env node
// Launcher for the `edgeplane` CLI: runs the TypeScript sources on Node >= 22, using the Node binary
// that the npm `node` package installs when the system Node is older (wrangler and Miniflare need 22+).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.resolve(__dirname, '..');

function pickNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const local = path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (fs.existsSync(local)) return local;
  console.error(
    'edgeplane: Node.js 22 or newer is needed; run `npm install` in ' + root + ' to fetch it.',
  );
  process.exit(1);
}

const loader = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const entry = path.join(root, 'src', 'cli', 'main.ts');
const child = spawn(pickNode(), ['--import', loader, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
// `npm run dev` starts us through `sh -c`; a SIGTERM to npm ends npm and sh but not us, and we would be
// reparented and keep the cluster running. So a change of our parent PID (polled: Linux has no portable
// parent-death signal in Node) counts as a SIGTERM for the child, which then stops gracefully.
const parent = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(parentWatch);
  child.kill('SIGTERM');
}, 250);
parentWatch.unref();
child.on('exit', (code, signal) => {
  process.exitCode = signal
    ? 128 + (require('node:os').constants.signals[signal] || 1)
    : (code ?? 1);
});
