// Pod detail: spec summary, conditions, container states with restart counts and last termination
// reasons, and the latest log lines with a follow button (an SSE stream of the API's log follow).
import { apiFetch, getObject, KINDS, objectPath, type UiContext } from '../api';
import { age, html, type Html } from '../html';
import { podRequests, podState, restarts } from './pods';
import type { ContainerStatus, PodObject } from './shapes';

function stateText(s: ContainerStatus['state']): string {
  if (!s) return 'unknown';
  const [k, v] = Object.entries(s)[0] ?? ['unknown', {}];
  return `${k}${v.reason ? ` (${v.reason})` : ''}${v.exitCode !== undefined ? ` exit ${v.exitCode}` : ''}`;
}

export async function podView(
  u: UiContext,
  ns: string,
  name: string,
  q: URLSearchParams,
): Promise<Html> {
  const p = await getObject<PodObject>(u, KINDS.pods, ns, name);
  if (!p) return html`<p class="meta">Pod ${ns}/${name} is not there, or not visible to you.</p>`;
  const containers = p.spec?.containers ?? [];
  const container = q.get('container') ?? containers[0]?.name ?? '';
  const logPath = `${objectPath(KINDS.pods, ns, name)}/log?tailLines=200&container=${encodeURIComponent(container)}`;
  const logRes = await apiFetch(u, logPath);
  const logs = logRes.ok ? await logRes.text() : `(logs unavailable: HTTP ${logRes.status})`;
  const req = podRequests(p);
  return html`<section class="card" data-pod-detail="${ns}/${name}" aria-label="pod ${ns}/${name}">
      <h2>${name}</h2>
      <div class="meta">
        ${ns} · ${p.status?.phase ?? 'Pending'} (${podState(p)}) · node
        ${p.spec?.nodeName ?? 'none'} · IP ${p.status?.podIP ?? 'none'} · age
        ${age(p.metadata.creationTimestamp, u.now)} · restarts
        <span data-restarts="${restarts(p)}">${restarts(p)}</span> · requests cpu ${req.cpu}m,
        memory ${req.memory} bytes
      </div>
      <h3>Conditions</h3>
      <div>
        ${(p.status?.conditions ?? []).map(
          (c) =>
            html`<span class="tag ${c.status === 'True' ? 'ok' : 'bad'}" title="${c.message ?? ''}"
              >${c.type}: ${c.status}${c.reason ? ` (${c.reason})` : ''}</span
            >`,
        )}
      </div>
      <h3>Containers</h3>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Image</th>
              <th scope="col">State</th>
              <th scope="col">Ready</th>
              <th scope="col">Restarts</th>
              <th scope="col">Last termination</th>
            </tr>
          </thead>
          <tbody>
            ${containers.map((c) => {
              const s = p.status?.containerStatuses?.find((x) => x.name === c.name);
              const last = s?.lastState?.terminated;
              return html`<tr data-container="${c.name}">
                <th scope="row">${c.name}</th>
                <td>${c.image ?? ''}</td>
                <td>${stateText(s?.state)}</td>
                <td>${s?.ready ? 'yes' : 'no'}</td>
                <td>${s?.restartCount ?? 0}</td>
                <td>
                  ${
                    last
                      ? `${last.reason ?? 'Terminated'} (exit ${last.exitCode ?? '?'}) ${age(last.finishedAt, u.now)} ago`
                      : ''
                  }
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    </section>
    <section class="card" aria-label="logs">
      <h3>Logs of ${container}</h3>
      <form method="get" class="inline">
        <label for="container">Container</label>
        <select id="container" name="container">
          ${containers.map((c) => html`<option ${c.name === container ? 'selected' : ''}>${c.name}</option>`)}
        </select>
        <button type="submit">Show</button>
      </form>
      <button
        type="button"
        id="follow"
        aria-pressed="false"
        aria-label="Follow the logs of ${container}"
        data-src="/ui/logs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}?container=${encodeURIComponent(container)}"
      >
        Follow
      </button>
      <pre id="logs" tabindex="0" aria-label="log lines">${logs}</pre>
    </section>`;
}

/** `kubectl logs -f` as Server-Sent Events: one `line` event per log line. */
export async function followLogs(
  u: UiContext,
  ns: string,
  name: string,
  container: string,
): Promise<Response> {
  const path = `${objectPath(KINDS.pods, ns, name)}/log?follow=true&tailLines=200&container=${encodeURIComponent(container)}`;
  const r = await apiFetch(u, path);
  if (!r.ok || !r.body)
    return new Response(`logs unavailable: HTTP ${r.status}`, { status: r.status });
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  let buf = '';
  const body = r.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        buf += dec.decode(chunk, { stream: true });
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        if (lines.length)
          ctl.enqueue(
            enc.encode(lines.map((l) => `event: line\ndata: ${l.replace(/\r/g, '')}\n\n`).join('')),
          );
      },
    }),
  );
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' },
  });
}
