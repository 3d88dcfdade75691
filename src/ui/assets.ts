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
 * The client: one EventSource per page, told by the server which kinds changed; each change
 * re-fetches the current view's server-rendered fragment (no polling, no full reload). Action forms
 * are posted with fetch and the session's CSRF token in a header.
 */
export const JS = `
(() => {
  const view = document.getElementById('view');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const kinds = view?.dataset.kinds;
  let timer, busy = false, again = false;
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const r = await fetch(location.pathname + location.search, { headers: { 'x-fragment': '1' }, credentials: 'same-origin' });
      if (r.status === 401) { location.href = '/ui/signin'; return; }
      if (r.ok) {
        const active = document.activeElement && document.activeElement.id;
        view.innerHTML = await r.text();
        if (active) document.getElementById(active)?.focus();
        view.dataset.updated = String(Date.now());
      }
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
  const onChange = (kind) => {
    if (kind !== '*' && !mine.has(kind)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 40);
  };
  if (view && kinds) {
    const all = document.body.dataset.allKinds || kinds;
    if (navigator.locks && window.BroadcastChannel) {
      const bc = new BroadcastChannel('edgeplane-ui');
      let leaderStatus = '';
      bc.onmessage = (e) => {
        const m = e.data || {};
        if (m.type === 'change') onChange(m.kind);
        else if (m.type === 'status') setStatus(m.text);
        else if (m.type === 'hello' && leaderStatus) bc.postMessage({ type: 'status', text: leaderStatus });
      };
      bc.postMessage({ type: 'hello' });
      navigator.locks.request('edgeplane-ui-stream', () => new Promise(() => {
        const es = new EventSource('/ui/stream?kinds=' + encodeURIComponent(all));
        const tell = (t) => { leaderStatus = t; setStatus(t); bc.postMessage({ type: 'status', text: t }); };
        es.addEventListener('open', () => tell('live'));
        es.addEventListener('error', () => tell('reconnecting…'));
        es.addEventListener('change', (ev) => { onChange(ev.data); bc.postMessage({ type: 'change', kind: ev.data }); });
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
    if (out) out.textContent = r.ok ? '' : await r.text();
    refresh();
  });
  const logs = document.getElementById('logs');
  const follow = document.getElementById('follow');
  if (logs && follow) {
    let les;
    follow.addEventListener('click', () => {
      if (les) { les.close(); les = undefined; follow.setAttribute('aria-pressed', 'false'); return; }
      logs.textContent = '';
      les = new EventSource(follow.dataset.src);
      follow.setAttribute('aria-pressed', 'true');
      les.addEventListener('line', (ev) => { logs.textContent += ev.data + '\\n'; logs.scrollTop = logs.scrollHeight; });
    });
  }
})();
`;
