// The events view: the newest events first, filterable by namespace, object name and type.
import type { KObject } from '../../api/types';
import { KINDS, listAll, type UiContext } from '../api';
import { age, html, type Html } from '../html';

interface EventObject extends KObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

const LIMIT = 300;

const when = (e: EventObject) =>
  e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';

export async function eventsView(u: UiContext, q: URLSearchParams): Promise<Html> {
  const ns = q.get('namespace') ?? '';
  const type = q.get('type') ?? '';
  const object = q.get('object') ?? '';
  const all = await listAll<EventObject>(u, KINDS.events);
  const shown = all
    .filter((e) => !ns || e.metadata.namespace === ns)
    .filter((e) => !type || e.type === type)
    .filter(
      (e) =>
        !object ||
        `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`
          .toLowerCase()
          .includes(object.toLowerCase()),
    )
    .sort((a, b) => when(b).localeCompare(when(a)))
    .slice(0, LIMIT);
  const namespaces = [...new Set(all.map((e) => e.metadata.namespace ?? ''))].sort();
  return html`<form method="get" class="inline" aria-label="Filter events">
      <label for="ev-ns">Namespace</label>
      <select id="ev-ns" name="namespace">
        <option value="">all</option>
        ${namespaces.map((n) => html`<option ${n === ns ? 'selected' : ''}>${n}</option>`)}
      </select>
      <label for="ev-type">Type</label>
      <select id="ev-type" name="type">
        <option value="">all</option>
        ${['Normal', 'Warning'].map((t) => html`<option ${t === type ? 'selected' : ''}>${t}</option>`)}
      </select>
      <label for="ev-object">Object</label>
      <input id="ev-object" name="object" value="${object}" placeholder="kind/name" />
      <button type="submit">Filter</button>
    </form>
    <div class="scroll card">
      <table aria-label="Events">
        <thead>
          <tr>
            <th scope="col">Age</th>
            <th scope="col">Type</th>
            <th scope="col">Reason</th>
            <th scope="col">Object</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (e) =>
              html`<tr data-event="${e.metadata.namespace}/${e.metadata.name}">
                <td>${age(when(e), u.now)}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}</td>
                <td>${e.type ?? ''}</td>
                <td>${e.reason ?? ''}</td>
                <td>
                  ${e.metadata.namespace}/${e.involvedObject?.kind?.toLowerCase()}/${
                    e.involvedObject?.name
                  }
                </td>
                <td>${e.message ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}
