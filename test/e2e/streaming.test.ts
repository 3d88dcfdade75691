// exec, attach, cp and kubectl run -it through the node tunnel, with the real kubectl against
// `edgeplane dev --agents 1 --runtime process`: output, exit codes, stdin and its close signal, a TTY
// with a resize under script(1), 5 MiB copies both ways, attach, who may open a stream, and an agent
// that dies mid-session (the session ends with an error; a new exec works once the agent is back).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupClusters,
  killGroup,
  run,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';

let c: Cluster;
let work: string;
const spawned: ChildProcess[] = [];
const strays: number[] = [];

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
  work = tempDir('edgeplane-stream-');
  await kubectlOk([
    'run',
    'box',
    '--image=busybox',
    '--restart=Never',
    '--command',
    '--',
    'sleep',
    '3600',
  ]);
  await kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            stdin: true,
            stdinOnce: true,
            command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo bye'],
          },
        ],
      },
    }),
  });
  await kubectlOk(['wait', '--for=condition=Ready', 'pod/box', 'pod/reader', '--timeout=60s'], {
    timeoutMs: 70_000,
  });
}, 180_000);

afterAll(async () => {
  for (const p of spawned)
    if (p.exitCode === null && p.signalCode === null) killGroup(p.pid!, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  for (const p of spawned)
    if (p.exitCode === null && p.signalCode === null) killGroup(p.pid!, 'SIGKILL');
  for (const pid of strays) killGroup(pid, 'SIGKILL');
  await cleanupClusters();
}, 60_000);

async function kubectlOk(
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await c.kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const kubectlLine = (args: string) => `kubectl --kubeconfig ${c.kubeconfig} ${args}`;

describe('exec through the node tunnel', () => {
  it('kubectl exec POD -- echo hi prints hi', async () => {
    const r = await c.kubectl(['exec', 'box', '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('a command exiting 3 makes kubectl print the exit code and exit 3', async () => {
    const r = await c.kubectl(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('stdin round-trips through cat and its close ends the command', async () => {
    const input = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const r = await c.kubectl(['exec', '-i', 'box', '--', 'cat'], { input, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('runs with the container environment and reports a missing command as an error', async () => {
    const env = await c.kubectl(['exec', 'box', '--', 'sh', '-c', 'echo $HOSTNAME']);
    expect(env.stdout.trim()).toBe('box');
    const missing = await c.kubectl(['exec', 'box', '--', 'no-such-command-xyz']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  it('kubectl exec -it sh works under script, and a resize reaches the terminal', async () => {
    // The outer terminal starts at 40x120, then becomes 50x132 while the session runs: kubectl sends
    // both sizes on the resize channel and `stty size` inside the pod sees each.
    const cmd = `stty rows 40 cols 120; (sleep 4; stty rows 50 cols 132 </dev/tty) & ${kubectlLine('exec -it box -- sh')}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    spawned.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    setTimeout(() => child.stdin.write('stty size; sleep 5; stty size; tty; exit 4\n'), 2000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toMatch(/40 120/);
    expect(out).toMatch(/50 132/);
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    expect(out).toContain('command terminated with exit code 4');
    expect(code).toBe(4);
  }, 60_000);

  it('kubectl cp copies a 5 MiB file into the pod and back byte for byte', async () => {
    const src = path.join(work, 'in.bin');
    fs.writeFileSync(src, randomBytes(5 * 1024 * 1024));
    const remoteDir = path.join(work, 'remote');
    fs.mkdirSync(remoteDir);
    await kubectlOk(['cp', src, `box:${remoteDir}/copied.bin`], { timeoutMs: 60_000 });
    expect(sha(path.join(remoteDir, 'copied.bin'))).toBe(sha(src));
    const back = path.join(work, 'back.bin');
    await kubectlOk(['cp', `box:${remoteDir}/copied.bin`, back], { timeoutMs: 60_000 });
    expect(sha(back)).toBe(sha(src));
  }, 120_000);
});

describe('attach and run', () => {
  it('kubectl attach -i feeds the main process stdin and shows its output until it exits', async () => {
    // stdinOnce: the first attach's stdin close closes the container's stdin, so the loop ends.
    const r = await c.kubectl(['attach', '-i', 'reader'], {
      input: 'one\ntwo\n',
      timeoutMs: 30_000,
    });
    expect(r.stdout).toContain('got one\ngot two\n');
    expect(r.stdout).toContain('bye');
    expect(r.code).toBe(0);
  });

  it('kubectl run -i --rm --restart=Never --command attaches, prints, and deletes the pod', async () => {
    const r = await c.kubectl(
      [
        'run',
        '-i',
        '--rm',
        '--restart=Never',
        'once',
        '--image=busybox',
        '--command',
        '--',
        'sh',
        '-c',
        'read x; echo "got $x"',
      ],
      {
        input: 'world\n',
        timeoutMs: 60_000,
      },
    );
    expect(r.stdout).toContain('got world');
    expect(r.stdout).toContain('pod "once" deleted');
    expect(r.code).toBe(0);
  }, 90_000);

  it('kubectl run -it --rm under script runs commands typed into it', async () => {
    const cmd = kubectlLine('run -it --rm --restart=Never tty1 --image=busybox --command -- sh');
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    spawned.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    setTimeout(() => child.stdin.write('echo typed-$((6*7))\nexit 0\n'), 4000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('typed-42');
    expect(code).toBe(0);
  }, 90_000);
});

describe('live logs', () => {
  it('kubectl logs -f shows each line within 200 ms of the container writing it, and logs keeps the history', async () => {
    await kubectlOk([
      'run',
      'ticker',
      '--image=busybox',
      '--restart=Never',
      '--command',
      '--',
      'sh',
      '-c',
      'while true; do echo "tick $(date +%s%3N)"; sleep 0.7; done',
    ]);
    await kubectlOk(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s'], {
      timeoutMs: 70_000,
    });
    // Let the normal 1 s shipping put some history in first.
    await new Promise((r) => setTimeout(r, 2500));
    // Live from the moment the follow is established: kubectl has printed the stored history.
    let since = Infinity;
    const follow = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'logs', '-f', 'ticker'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    spawned.push(follow);
    const delays: number[] = [];
    let buf = '';
    follow.stdout.on('data', (d: Buffer) => {
      const now = Date.now();
      if (since === Infinity) since = now;
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const written = Number(/tick (\d+)/.exec(line)?.[1]);
        if (written > since) delays.push(now - written);
      }
    });
    await until(() => delays.length >= 6, 20_000, 'six live lines');
    killGroup(follow.pid!, 'SIGKILL');
    // Every line written after the follow began, the first included, arrived within 200 ms (before: up to 1 s).
    expect(Math.max(...delays), `delays ${delays.join(', ')} ms`).toBeLessThan(200);
    const history = await kubectlOk(['logs', 'ticker']);
    expect(history.split('\n').filter((l) => l.startsWith('tick ')).length).toBeGreaterThanOrEqual(
      8,
    );
  }, 60_000);
});

describe('who may open a stream', () => {
  const nodeToken = () =>
    fs.readFileSync(path.join(c.stateDir, 'agents', 'node-1', 'credential'), 'utf8').trim();

  it('a node credential cannot exec, even into its own pods, and opens only its own tunnel', async () => {
    const exec = await c.fetch('/api/v1/namespaces/default/pods/box/exec?command=id&stdout=true', {
      token: nodeToken(),
    });
    expect(exec.status).toBe(403);
    const status = (await exec.json()) as { message: string };
    expect(status.message).toContain('cannot create resource "pods/exec"');
    const other = await c.fetch('/edgeplane/v1/nodes/node-2/tunnel', {
      token: nodeToken(),
      headers: { upgrade: 'websocket', connection: 'Upgrade' },
    });
    expect(other.status).toBe(403);
  });

  it('the API Worker logs who opened an exec into which pod', async () => {
    await kubectlOk(['exec', 'box', '--', 'true']);
    expect(c.output()).toMatch(
      /audit: \S+ user="admin" opened exec into pod default\/box on node node-1 container="box" command=\["true"\]/,
    );
  });

  it("kubectl's SPDY fallback gets a Status saying this server streams over WebSocket only", async () => {
    const r = await run('kubectl', ['--kubeconfig', c.kubeconfig, 'exec', 'box', '--', 'true'], {
      env: { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'exec needs a WebSocket upgrade with subprotocol v5.channel.k8s.io; this server does not speak SPDY',
    );
  });

  it('kubectl gets a Status for pods it cannot reach', async () => {
    const missing = await c.kubectl(['exec', 'nope', '--', 'true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('pods "nope" not found');
    await kubectlOk([
      'run',
      'unbound',
      '--image=busybox',
      '--restart=Never',
      '--overrides',
      '{"spec":{"nodeSelector":{"none":"x"}}}',
      '--command',
      '--',
      'true',
    ]);
    const r = await c.fetch(
      '/api/v1/namespaces/default/pods/unbound/exec?command=true&stdout=true',
      {
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-protocol': 'v5.channel.k8s.io',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      },
    );
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toBe(
      'pod unbound does not have a host assigned',
    );
  });
});

describe('the tunnel going away', () => {
  it('an agent killed mid-session ends the session with an error, a node without tunnel says so, and exec works once the agent is back', async () => {
    const session = spawn(
      'kubectl',
      [
        '--kubeconfig',
        c.kubeconfig,
        'exec',
        'box',
        '--',
        'sh',
        '-c',
        'echo started $$; exec sleep 61',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    spawned.push(session);
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const sessionDone = new Promise<number | null>((resolve) => session.on('close', resolve));
    await until(() => /started (\d+)/.test(out), 20_000, 'the exec to start');
    strays.push(Number(/started (\d+)/.exec(out)![1]));

    const agentPid = agentProcess();
    const argv = fs.readFileSync(`/proc/${agentPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env = Object.fromEntries(
      fs
        .readFileSync(`/proc/${agentPid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    process.kill(agentPid, 'SIGKILL');
    const code = await Promise.race([
      sessionDone,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000)),
    ]);
    expect(code, `kubectl output: ${out}`).toBe(1);
    expect(out).toMatch(/error: the tunnel to node node-1 closed/);

    const refused = await c.kubectl(['exec', 'box', '--', 'true'], { timeoutMs: 20_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('node node-1 has no tunnel connected');

    const log = fs.openSync(path.join(work, 'agent-again.log'), 'a');
    const again = spawn(argv[0], argv.slice(1), {
      env,
      stdio: ['ignore', log, log],
      detached: true,
    });
    spawned.push(again);
    await until(
      async () =>
        (await c.kubectl(['exec', 'box', '--', 'echo', 'back'], { timeoutMs: 10_000 })).stdout ===
        'back\n',
      60_000,
      'exec after the agent came back',
    );
  }, 150_000);
});

function agentProcess(): number {
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (
        cmd.includes('agent') &&
        cmd.includes('--state') &&
        cmd.includes(path.join(c.stateDir, 'agents', 'node-1'))
      )
        return Number(e);
    } catch {
      // ended while we looked
    }
  }
  throw new Error('no agent process for node-1');
}

async function until(
  fn: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
