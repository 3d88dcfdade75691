// One probe attempt: exec through the runtime, httpGet and tcpSocket against the pod's address.
// k8s: pkg/kubelet/prober/prober.go, pkg/probe/http/http.go, pkg/probe/tcp/tcp.go
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Runtime } from './runtime';
import type { Container, Probe } from './types';

export interface ProbeTarget {
  podUid: string;
  containerId: string;
  podIP: string;
  container: Container;
  runtime: Runtime;
}

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, worded as kubelet words it (the Unhealthy event's message). */
  message?: string;
}

/** A named port resolves through the container's ports, as kubelet does. */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function httpProbe(
  p: NonNullable<Probe['httpGet']>,
  t: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const port = resolvePort(p.port, t.container);
  if (port === undefined)
    return Promise.resolve({
      ok: false,
      message: `port ${JSON.stringify(p.port)} is not a port of container ${t.container.name}`,
    });
  const scheme = (p.scheme ?? 'HTTP').toLowerCase();
  const host = p.host || t.podIP;
  const path = p.path ? (p.path.startsWith('/') ? p.path : `/${p.path}`) : '/';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of p.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const mod = scheme === 'https' ? https : http;
    // k8s: HTTPS probes skip certificate verification.
    const req = mod.get(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      if (code >= 200 && code < 400) resolve({ ok: true });
      else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () =>
      req.destroy(
        new Error(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`),
      ),
    );
    req.on('error', (err) => resolve({ ok: false, message: `Get "${url}": ${err.message}` }));
  });
}

function tcpProbe(
  p: NonNullable<Probe['tcpSocket']>,
  t: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const port = resolvePort(p.port, t.container);
  if (port === undefined)
    return Promise.resolve({
      ok: false,
      message: `port ${JSON.stringify(p.port)} is not a port of container ${t.container.name}`,
    });
  const host = p.host || t.podIP;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }),
    );
    socket.on('connect', () => done({ ok: true }));
    socket.on('error', (err) =>
      done({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }),
    );
  });
}

async function execProbe(
  p: NonNullable<Probe['exec']>,
  t: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const command = p.command ?? [];
  if (command.length === 0) return { ok: false, message: 'exec probe has no command' };
  try {
    const r = await t.runtime.exec(t.podUid, t.containerId, command, timeoutMs);
    if (r.exitCode === 0) return { ok: true };
    return {
      ok: false,
      message: r.output.trim() || `command ${JSON.stringify(command)} exited with ${r.exitCode}`,
    };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) return execProbe(probe.exec, t, timeoutMs);
  if (probe.httpGet) return httpProbe(probe.httpGet, t, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, t, timeoutMs);
  if (probe.grpc)
    return Promise.resolve({
      ok: false,
      message:
        'gRPC probes are not supported by the edgeplane agent; use httpGet, tcpSocket or exec',
    });
  return Promise.resolve({
    ok: false,
    message: 'probe has no handler (exec, httpGet or tcpSocket)',
  });
}
