// The page shell (header, navigation, sign-out) and the sign-in page.
import { html, type Html } from './html';

/** Every kind some view draws: the one stream a browser shares across its tabs watches them all. */
export const ALL_KINDS = [
  'nodes',
  'pods',
  'services',
  'endpoints',
  'events',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
];

export const VIEWS = [
  { path: '/ui/nodes', title: 'Nodes' },
  { path: '/ui/workloads', title: 'Workloads' },
  { path: '/ui/services', title: 'Services' },
  { path: '/ui/events', title: 'Events' },
] as const;

function head(title: string, csrf?: string): Html {
  return html`<meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${csrf ? html`<meta name="csrf-token" content="${csrf}" />` : ''}
    <title>${title} · edgeplane</title>
    <link rel="stylesheet" href="/ui/assets/app.css" />`;
}

export interface PageOptions {
  title: string;
  current: string;
  user: string;
  csrf: string;
  /** The kinds whose changes refresh this view (the server's SSE stream watches them). */
  kinds: string[];
  /** Query to pass to the stream (a namespace filter). */
  query?: string;
  body: Html;
}

export function page(o: PageOptions): string {
  return `<!doctype html>${html`<html lang="en">
    <head>
      ${head(o.title, o.csrf)}
    </head>
    <body data-all-kinds="${ALL_KINDS.join(',')}">
      <header>
        <h1>edgeplane</h1>
        <nav aria-label="Views">
          <ul>
            ${VIEWS.map(
              (v) =>
                html`<li>
                  <a href="${v.path}" ${v.path === o.current ? html`aria-current="page"` : ''}
                    >${v.title}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <div class="who">
          <span class="live" id="live" aria-live="polite"></span>
          <span aria-label="Signed in as">${o.user}</span>
          <form method="post" action="/ui/signout">
            <input type="hidden" name="csrf" value="${o.csrf}" />
            <button type="submit" aria-label="Sign out">Sign out</button>
          </form>
        </div>
      </header>
      <main
        id="view"
        data-kinds="${o.kinds.join(',')}"
        data-query="${o.query ?? ''}"
        aria-live="off"
      >
        ${o.body}
      </main>
      <p id="action-result" class="error" role="status"></p>
      <script src="/ui/assets/app.js" defer></script>
    </body>
  </html>`}`;
}

export function signInPage(error?: string): string {
  return `<!doctype html>${html`<html lang="en">
    <head>
      ${head('Sign in')}
    </head>
    <body>
      <main class="signin card">
        <h1>Sign in to edgeplane</h1>
        <p class="meta">
          Paste a bearer token: the admin token, a user token (<code>edgeplane user create</code>),
          or a ServiceAccount token (<code>kubectl create token</code>).
        </p>
        ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
        <form method="post" action="/ui/signin">
          <label for="token">Bearer token</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            required
            aria-label="Bearer token"
          />
          <button type="submit">Sign in</button>
        </form>
      </main>
    </body>
  </html>`}`;
}
