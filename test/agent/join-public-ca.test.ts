// Joining a control plane whose certificate comes from a CA (as on Cloudflare, a public one): the join
// token pins the intermediate the server presents, or says "system trust", and the agent verifies
// the chain against its trust store. A local root CA stands in for the public ones; it is trusted
// only through NODE_EXTRA_CA_CERTS, which Node adds to its system store. Loopback only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spkiSha256 } from '../../src/agent/join';
import {
  cleanupClusters,
  ROOT,
  run,
  startCluster,
  tempDir,
  type Cluster,
} from '../helpers/cluster';
import { randomSlots, startAgent, stopAgents } from './helpers';

let cluster: Cluster;
let dir: string;
let rootCa: string;
let intermediate: string;
/** A kubeconfig as an admin of a hosted cluster has it: no certificate-authority-data, system trust. */
let systemKubeconfig: string;
const [pinned, system, untrusted, untrustedPin] = randomSlots(4);

async function openssl(args: string[]): Promise<void> {
  // stdin ignored: openssl exits without reading it, and a pipe would fail with EPIPE.
  const r = spawnSync('openssl', args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0)
    throw new Error(
      `openssl ${args.join(' ')} failed (is openssl installed?):\n${r.error ?? ''}${r.stderr}`,
    );
}

/** root (self-signed) → intermediate → leaf for 127.0.0.1 and localhost, all P-256. */
async function makeChain(): Promise<void> {
  const ext = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  ext(
    'int.ext',
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  ext(
    'leaf.ext',
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-days',
    '2',
    '-subj',
    '/CN=edgeplane test root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-new',
    ...ec,
    '-keyout',
    'int.key',
    '-out',
    'int.csr',
    '-subj',
    '/CN=edgeplane test intermediate',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.crt',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-out',
    'int.crt',
    '-days',
    '2',
    '-extfile',
    'int.ext',
  ]);
  await openssl([
    'req',
    '-new',
    ...ec,
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=localhost',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'int.crt',
    '-CAkey',
    'int.key',
    '-CAcreateserial',
    '-out',
    'leaf.crt',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  ]);
  rootCa = path.join(dir, 'root.crt');
  intermediate = fs.readFileSync(path.join(dir, 'int.crt'), 'utf8');
}

const pemDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

async function edgeplane(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(process.execPath, [path.join(ROOT, 'bin', 'edgeplane.cjs'), ...args], {
    env: { ...process.env, ...env },
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** Starts an agent with NODE_EXTRA_CA_CERTS set (or unset) for it alone. */
async function agentWith(extraCa: string | undefined, args: string[], token: string) {
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa) process.env.NODE_EXTRA_CA_CERTS = extraCa;
  else delete process.env.NODE_EXTRA_CA_CERTS;
  try {
    return startAgent(cluster, args, { token, caFile: false });
  } finally {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  }
}

beforeAll(async () => {
  dir = tempDir('edgeplane-public-ca-');
  await makeChain();
  // The server presents leaf + intermediate, as a server with a public certificate does (no root).
  const state = path.join(dir, 'state');
  fs.mkdirSync(path.join(state, 'tls'), { recursive: true });
  fs.writeFileSync(
    path.join(state, 'tls', 'server.crt'),
    fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8') + intermediate,
  );
  fs.copyFileSync(path.join(dir, 'leaf.key'), path.join(state, 'tls', 'server.key'));
  fs.writeFileSync(path.join(state, 'tls', 'ca-hash'), 'unused\n');
  cluster = await startCluster({ stateDir: state });
  systemKubeconfig = path.join(dir, 'hosted-kubeconfig');
  fs.writeFileSync(
    systemKubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: hosted\n  cluster:\n    server: ${cluster.url}\ncontexts:\n- name: hosted\n  context:\n    cluster: hosted\n    user: admin\ncurrent-context: hosted\nusers:\n- name: admin\n  user:\n    token: ${cluster.token}\n`,
  );
}, 180_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

async function nodeExists(name: string): Promise<boolean> {
  const r = await cluster.kubectl(['get', 'node', name, '--no-headers']);
  return r.code === 0;
}

describe('joining a control plane with a CA-issued certificate', () => {
  it('token create, with a kubeconfig that trusts the system store, pins the intermediate the server presents', async () => {
    const token = await edgeplane(
      ['token', 'create', '--ttl', '1h', '--kubeconfig', systemKubeconfig],
      { NODE_EXTRA_CA_CERTS: rootCa },
    );
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}\.[0-9a-f]{64}$/);
    expect(token.split('.')[2]).toBe(spkiSha256(pemDer(intermediate)));
    // Without the root in its trust store the CLI refuses to pin what it cannot verify.
    const r = await run(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'edgeplane.cjs'),
        'token',
        'create',
        '--kubeconfig',
        systemKubeconfig,
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, timeoutMs: 60_000 },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate/i);
  });

  it('an agent with the pinned token joins: the chain verifies against its trust store and holds the pinned key', async () => {
    const token = await edgeplane(
      ['token', 'create', '--ttl', '1h', '--kubeconfig', systemKubeconfig],
      { NODE_EXTRA_CA_CERTS: rootCa },
    );
    const state = path.join(dir, 'agent-pinned');
    const agent = await agentWith(
      rootCa,
      ['--runtime', 'fake', '--name', 'pinned-1', '--address', pinned.address, '--state', state],
      token,
    );
    expect(agent.output()).toContain('joined the cluster as node pinned-1');
    expect(agent.output()).toContain(`holds the pinned key sha256:${token.split('.')[2]}`);
    // The intermediate is no trust anchor: nothing is kept but the credential; restarts use the trust store.
    expect(fs.existsSync(path.join(state, 'ca.crt'))).toBe(false);
    expect(fs.readFileSync(path.join(state, 'credential'), 'utf8')).toMatch(/^ep-node\./);
    expect(await nodeExists('pinned-1')).toBe(true);
    await agent.stop();
  });

  it('an agent with a system-trust token joins when its trust store holds the root', async () => {
    const token = await edgeplane(
      ['token', 'create', '--ttl', '1h', '--trust', 'system', '--kubeconfig', systemKubeconfig],
      { NODE_EXTRA_CA_CERTS: rootCa },
    );
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}\.system$/);
    const agent = await agentWith(
      rootCa,
      [
        '--runtime',
        'fake',
        '--name',
        'system-1',
        '--address',
        system.address,
        '--state',
        path.join(dir, 'agent-system'),
      ],
      token,
    );
    expect(agent.output()).toContain('joined the cluster as node system-1');
    expect(await nodeExists('system-1')).toBe(true);
    await agent.stop();
  });

  it('refuses to send either token to a server its trust store does not verify', async () => {
    const systemToken = await edgeplane(
      ['token', 'create', '--ttl', '1h', '--trust', 'system', '--kubeconfig', systemKubeconfig],
      { NODE_EXTRA_CA_CERTS: rootCa },
    );
    await expect(
      agentWith(
        undefined,
        [
          '--runtime',
          'fake',
          '--name',
          'untrusted-1',
          '--address',
          untrusted.address,
          '--state',
          path.join(dir, 'agent-untrusted'),
        ],
        systemToken,
      ),
    ).rejects.toThrow(/does not verify against this machine's trust store/);
    // A pin alone does not make an intermediate a trust anchor.
    const pinToken = await edgeplane(
      ['token', 'create', '--ttl', '1h', '--kubeconfig', systemKubeconfig],
      { NODE_EXTRA_CA_CERTS: rootCa },
    );
    await expect(
      agentWith(
        undefined,
        [
          '--runtime',
          'fake',
          '--name',
          'untrusted-2',
          '--address',
          untrustedPin.address,
          '--state',
          path.join(dir, 'agent-untrusted-pin'),
        ],
        pinToken,
      ),
    ).rejects.toThrow(/does not verify against this machine's trust store/);
    expect(await nodeExists('untrusted-1')).toBe(false);
    expect(await nodeExists('untrusted-2')).toBe(false);
  });
});
