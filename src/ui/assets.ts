// The dashboard's stylesheet and its one small client script, served as static text.

export const CSS = `
:root { color-scheme: light dark; --bg:#f6f7f9; --fg:#1b1f24; --card:#fff; --muted:#5b6470; --line:#d5dae1;
  --ok:#1f883d; --warn:#b7791f; --bad:#cf222e; --info:#0969da; --done:#6e7781; --bar:#0969da; --accent:#0969da; }
@media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --card:#161b22; --muted:#9198a1;
  --line:#30363d; --ok:#3fb950; --warn:#d29922; --bad:#f85149; --info:#58a6ff; --done:#8b949e; --bar:#58a6ff; --accent:#58a6ff; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
a { color: var(--accent); }
header { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; padding:.5rem 1rem; border-bottom:1px solid var(--line); background:var(--card); }
header h1 { font-size:1rem; margin:0; }
nav ul { display:flex; flex-wrap:wrap; gap:.25rem .75rem; list-style:none; margin:0; padding:0; }
nav a[aria-current="page"] { font-weight:700; text-decoration:none; }
.who { margin-left:auto; display:flex; gap:.5rem; align-items:center; color:var(--muted); }
main { padding:1rem; }
.grid { display:grid; gap:.75rem; grid-template-columns:repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.75rem; min-width:0; }
.card h2, .card h3 { font-size:1rem; margin:0 0 .25rem; overflow-wrap:anywhere; }
.meta { color:var(--muted); font-size:.85rem; overflow-wrap:anywhere; }
.bar { position:relative; height:.9rem; border-radius:3px; background:var(--line); overflow:hidden; margin:.15rem 0 .35rem; }
.bar > span { position:absolute; inset:0 auto 0 0; background:var(--bar); }
.bar.over > span { background:var(--bad); }
.bar.stack { display:flex; } .bar.stack > span { position:static; height:100%; }
.seg.available { background:var(--ok); } .seg.ready { background:var(--info); } .seg.updated { background:var(--warn); }
.seg.old { background:var(--done); }
.rollout { margin-top:.25rem; }
.pods { display:flex; flex-wrap:wrap; gap:.25rem; margin-top:.5rem; }
.pod { display:inline-block; padding:.1rem .4rem; border-radius:3px; font-size:.8rem; color:#fff; text-decoration:none; max-width:100%; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.pod.ready { background:var(--ok); } .pod.unready { background:var(--warn); } .pod.pending { background:var(--info); }
.pod.failed { background:var(--bad); } .pod.succeeded { background:var(--done); } .pod.terminating { background:var(--done); opacity:.7; }
.tag { display:inline-block; border:1px solid var(--line); border-radius:3px; padding:0 .3rem; font-size:.8rem; margin:.1rem .1rem 0 0; }
.tag.bad { border-color:var(--bad); color:var(--bad); } .tag.ok { border-color:var(--ok); color:var(--ok); }
table { border-collapse:collapse; width:100%; } th, td { text-align:left; padding:.25rem .4rem; border-bottom:1px solid var(--line); vertical-align:top; }
.scroll { overflow-x:auto; }
form.inline { display:inline-flex; gap:.25rem; align-items:center; margin:.25rem .25rem 0 0; }
input, button, select { font:inherit; color:inherit; background:var(--bg); border:1px solid var(--line); border-radius:4px; padding:.2rem .5rem; }
input[type=number] { width:4.5rem; }
button { cursor:pointer; } button:hover { border-color:var(--accent); }
:focus-visible { outline:2px solid var(--accent); outline-offset:2px; }
pre { background:var(--card); border:1px solid var(--line); padding:.5rem; overflow:auto; max-height:60vh; white-space:pre-wrap; }
.signin { max-width:26rem; margin:3rem auto; }
.signin input { width:100%; margin:.5rem 0; }
.error { color:var(--bad); }
.live { font-size:.8rem; color:var(--muted); }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
`;

/**
 * The client: one EventSource per browser, told by the server which kinds changed; each change
 * re-fetches the current view's server-rendered fragment (no polling, no full reload) and patches the
 * page with it: a keyed morph that keeps every node whose markup did not change (so focus, scroll,
 * selection and DOM identity survive) and replaces only what did. Tabs on the same view share one
 * fetch: the tab that takes the view's Web Lock fetches and passes the markup to the others over the
 * BroadcastChannel. Action forms are posted with fetch and the session's CSRF token in a header.
 */
export const JS = `
(() => {
  const view = document.getElementById('view');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const kinds = view?.dataset.kinds;
  const here = location.pathname + location.search;
  // Keyed morph. An element's key: its id or the data-* attribute naming the object it draws.
  const KEYS = ['id', 'data-node', 'data-pod', 'data-workload', 'data-service', 'data-event', 'data-container', 'data-rollout'];
  const keyOf = (n) => {
    if (n.nodeType !== 1) return undefined;
    for (const a of KEYS) { const v = n.getAttribute(a); if (v !== null) return n.nodeName + '|' + a + '=' + v; }
    return undefined;
  };
  function syncAttrs(from, to) {
    for (const a of Array.from(from.attributes)) if (!to.hasAttribute(a.name)) from.removeAttribute(a.name);
    for (const a of Array.from(to.attributes)) {
      if (from.getAttribute(a.name) === a.value) continue;
      from.setAttribute(a.name, a.value);
      // A field the user is editing keeps what they typed; others show the new value.
      if (a.name === 'value' && 'value' in from && from !== document.activeElement) from.value = a.value;
    }
  }
  function morphNode(from, to) {
    if (from.nodeType !== 1) { if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue; return; }
    if (from.hasAttribute('data-client')) return; // driven by this script (a followed log)
    if (from.isEqualNode(to)) return;
    syncAttrs(from, to);
    morphChildren(from, to);
  }
  function morphChildren(from, to) {
    const keyed = new Map();
    for (const c of Array.from(from.childNodes)) { const k = keyOf(c); if (k !== undefined && !keyed.has(k)) keyed.set(k, c); }
    let at = from.firstChild;
    for (const n of Array.from(to.childNodes)) {
      const k = keyOf(n);
      let match;
      if (k !== undefined) { match = keyed.get(k); keyed.delete(k); }
      else if (n.nodeType === 1) {
        // The next unkeyed element with the same tag (text and keyed nodes in between stay put).
        for (let c = at; c; c = c.nextSibling) if (c.nodeType === 1 && c.nodeName === n.nodeName && keyOf(c) === undefined) { match = c; break; }
      } else if (at && at.nodeType === n.nodeType) match = at;
      if (match) {
        if (match !== at) {
          // Moving a node blurs what it holds: when it holds the focus, the nodes before it move instead.
          if (match.contains(document.activeElement)) {
            const after = match.nextSibling;
            while (at !== match) { const next = at.nextSibling; from.insertBefore(at, after); at = next; }
            at = match.nextSibling;
          } else from.insertBefore(match, at);
        } else at = at.nextSibling;
        morphNode(match, n);
      } else from.insertBefore(n, at);
    }
    while (at) { const next = at.nextSibling; from.removeChild(at); at = next; }
  }
  function apply(markup) {
    const t = document.createElement('template');
    t.innerHTML = markup;
    morphChildren(view, t.content);
    view.dataset.updated = String(Date.now());
  }
  async function fetchFragment() {
    const r = await fetch(here, { headers: { 'x-fragment': '1' }, credentials: 'same-origin' });
    if (r.status === 401) { location.href = '/ui/signin'; return undefined; }
    return r.ok ? r.text() : undefined;
  }
  const bc = window.BroadcastChannel ? new BroadcastChannel('edgeplane-ui') : undefined;
  // pending: when the oldest change this tab has not drawn was heard (0: none); heard: the newest.
  // A markup fetch started at or after a change's moment shows it.
  let timer, busy = false, again = false, pending = 0, heard = 0;
  const served = (started) => { pending = heard <= started ? 0 : heard; };
  async function draw() {
    const started = Date.now();
    const markup = await fetchFragment();
    if (markup === undefined) return;
    served(started);
    apply(markup);
    bc?.postMessage({ type: 'fragment', path: here, started, markup });
  }
  async function refresh(force) {
    if (busy) { again = true; return; }
    if (!pending && !force) return;
    busy = true;
    try {
      if (!force && navigator.locks && bc) {
        // One fetch per view for all tabs: the tab that takes the view's lock fetches and posts the
        // markup; the others wait until it is done and use that markup when it was fetched after
        // their change. A change heard later makes them try again for the lock: one fetch per round.
        const name = 'edgeplane-ui-fragment ' + here;
        for (;;) {
          const took = await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
            if (!lock) return false;
            if (pending) await draw();
            return true;
          });
          if (took || !pending) break;
          await navigator.locks.request(name, { mode: 'shared' }, async () => {});
          if (!pending) break;
          await new Promise((res) => setTimeout(res, Math.random() * 20));
        }
      } else await draw();
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  // One stream per browser, not per tab: the tab holding the lock opens it for every kind and
  // passes each change to the other tabs over a BroadcastChannel; when it closes, another takes over.
  // (Browsers allow six HTTP/1.1 connections per host: a stream per tab would stall the seventh.)
  const status = document.getElementById('live');
  const setStatus = (t) => { if (status) status.textContent = t; };
  const mine = new Set((kinds || '').split(','));
  // at: when the stream's tab heard the change (one clock for all tabs, so a tab that hears it late
  // still knows a fetch another tab started after that moment shows it).
  const onChange = (kind, at = Date.now()) => {
    if (kind !== '*' && !mine.has(kind)) return;
    heard = Math.max(heard, at);
    if (!pending) pending = at;
    clearTimeout(timer);
    timer = setTimeout(refresh, 40);
  };
  if (view && kinds) {
    const all = document.body.dataset.allKinds || kinds;
    if (navigator.locks && bc) {
      let leaderStatus = '';
      bc.onmessage = (e) => {
        const m = e.data || {};
        if (m.type === 'change') onChange(m.kind, m.at);
        else if (m.type === 'status') setStatus(m.text);
        else if (m.type === 'hello' && leaderStatus) bc.postMessage({ type: 'status', text: leaderStatus });
        else if (m.type === 'fragment' && m.path === here && pending && m.started >= pending) {
          served(m.started);
          apply(m.markup);
        }
      };
      bc.postMessage({ type: 'hello' });
      navigator.locks.request('edgeplane-ui-stream', () => new Promise(() => {
        const es = new EventSource('/ui/stream?kinds=' + encodeURIComponent(all));
        const tell = (t) => { leaderStatus = t; setStatus(t); bc.postMessage({ type: 'status', text: t }); };
        es.addEventListener('open', () => tell('live'));
        es.addEventListener('error', () => tell('reconnecting…'));
        es.addEventListener('change', (ev) => {
          const at = Date.now();
          bc.postMessage({ type: 'change', kind: ev.data, at });
          onChange(ev.data, at);
        });
      }));
    } else {
      const es = new EventSource('/ui/stream?kinds=' + encodeURIComponent(kinds) + '&' + (view.dataset.query || ''));
      es.addEventListener('open', () => setStatus('live'));
      es.addEventListener('error', () => setStatus('reconnecting…'));
      es.addEventListener('change', (ev) => onChange(ev.data));
    }
  }
  document.addEventListener('submit', async (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('action')) return;
    e.preventDefault();
    const r = await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { 'x-csrf-token': csrf || '' }, credentials: 'same-origin' });
    const out = document.getElementById('action-result');
    const text = await r.text();
    if (out) out.textContent = r.ok && text === 'ok' ? '' : text;
    refresh(true);
  });
  const logs = document.getElementById('logs');
  const follow = document.getElementById('follow');
  if (logs && follow) {
    let les;
    follow.addEventListener('click', () => {
      if (les) {
        les.close(); les = undefined;
        follow.setAttribute('aria-pressed', 'false');
        logs.removeAttribute('data-client'); follow.removeAttribute('data-client');
        return;
      }
      logs.textContent = '';
      les = new EventSource(follow.dataset.src);
      // While followed, live refreshes leave the log and its button alone.
      logs.setAttribute('data-client', ''); follow.setAttribute('data-client', '');
      follow.setAttribute('aria-pressed', 'true');
      les.addEventListener('line', (ev) => { logs.textContent += ev.data + '\\n'; logs.scrollTop = logs.scrollHeight; });
    });
  }
})();
`;
