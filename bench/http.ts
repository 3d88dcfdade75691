// Minimal keep-alive HTTP(S) client for the benchmarks: one request, or a stream of lines.
import http from 'node:http';
import https from 'node:https';

export interface Target {
  base: string;
  agent: http.Agent;
  headers?: Record<string, string>;
}

function open(
  t: Target,
  method: string,
  path: string,
  body: string | undefined,
  onResponse: (res: http.IncomingMessage) => void,
) {
  const url = new URL(path, t.base);
  const mod = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...(t.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const req = mod.request(url, { method, headers, agent: t.agent }, onResponse);
  req.end(body);
  return req;
}

export function send(
  t: Target,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = open(t, method, path, body, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Opens a streaming request; resolves once the response headers arrive. Each full line goes to `onLine`. */
export function streamLines(
  t: Target,
  method: string,
  path: string,
  body: string | undefined,
  onLine: (line: string) => void,
): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const req = open(t, method, path, body, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${method} ${path} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) onLine(line);
        }
      });
      res.on('error', () => undefined);
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}
