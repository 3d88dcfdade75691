// The services view: each Service's type, ClusterIP, ports and NodePorts, and its live endpoints
// (ready and not-ready addresses, with the pods behind them).
import type { KObject } from '../../api/types';
import { KINDS, listAll, type UiContext } from '../api';
import { age, html, type Html } from '../html';

interface ServiceObject extends KObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    ports?: {
      name?: string;
      port: number;
      targetPort?: number | string;
      nodePort?: number;
      protocol?: string;
    }[];
  };
}

interface Address {
  ip: string;
  nodeName?: string;
  targetRef?: { name?: string };
}

interface EndpointsObject extends KObject {
  subsets?: { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: { port: number }[] }[];
}

function addresses(list: Address[], ready: boolean): Html[] {
  return list.map(
    (a) =>
      html`<span
        class="tag ${ready ? 'ok' : 'bad'}"
        data-endpoint="${a.ip}"
        data-ready="${ready}"
        aria-label="${ready ? 'ready' : 'not ready'} endpoint ${a.ip}${a.targetRef?.name ? ` (pod ${a.targetRef.name})` : ''}"
        >${a.ip}${a.targetRef?.name ? ` ${a.targetRef.name}` : ''}</span
      >`,
  );
}

export async function servicesView(u: UiContext): Promise<Html> {
  const [services, endpoints] = await Promise.all([
    listAll<ServiceObject>(u, KINDS.services),
    listAll<EndpointsObject>(u, KINDS.endpoints),
  ]);
  const key = (o: KObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  const epOf = new Map(endpoints.map((e) => [key(e), e]));
  services.sort((a, b) => key(a).localeCompare(key(b)));
  if (!services.length) return html`<p class="meta">No services you may see.</p>`;
  return html`<h2 class="sr-only">Services</h2>
    <div class="grid">
      ${services.map((s) => {
        const subsets = epOf.get(key(s))?.subsets ?? [];
        const ready = subsets.flatMap((x) => x.addresses ?? []);
        const notReady = subsets.flatMap((x) => x.notReadyAddresses ?? []);
        return html`<section class="card" data-service="${key(s)}" aria-label="service ${key(s)}">
          <h3>${s.metadata.name}</h3>
          <div class="meta">
            ${s.metadata.namespace} · ${s.spec?.type ?? 'ClusterIP'} · ${s.spec?.clusterIP ?? ''} ·
            age ${age(s.metadata.creationTimestamp, u.now)}
          </div>
          <div class="meta">
            ports:
            ${(s.spec?.ports ?? []).map(
              (p) =>
                html`<span class="tag"
                  >${p.name ? `${p.name} ` : ''}${p.port}→${p.targetPort ?? p.port}/${
                    p.protocol ?? 'TCP'
                  }${p.nodePort ? ` node:${p.nodePort}` : ''}</span
                >`,
            )}
          </div>
          <div class="meta">endpoints: ${ready.length} ready, ${notReady.length} not ready</div>
          <div>${addresses(ready, true)}${addresses(notReady, false)}</div>
        </section>`;
      })}
    </div>`;
}
