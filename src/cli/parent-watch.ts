// Notices that the process that started us went away. `npm run dev` runs `sh -c "node bin/edgeplane.cjs
// dev"`; a SIGTERM to npm ends npm and sh but reaches nobody below them, so the CLI would be reparented
// (to PID 1 or a subreaper) and keep the whole cluster running. Linux tells no one about a parent's
// death without prctl(PR_SET_PDEATHSIG), which Node does not offer, so we poll process.ppid (a live
// getppid(2)): a change means the parent is gone.

/** Our parent when this module loaded (at start-up), so a parent that dies before watchParent is called counts. */
const startParent = process.ppid;

/** Calls `onGone` once when our parent process changes; an unref'd timer, so it never holds the process. */
export function watchParent(onGone: (oldParent: number) => void, everyMs = 250): () => void {
  const first = startParent;
  const timer = setInterval(() => {
    if (process.ppid === first) return;
    clearInterval(timer);
    onGone(first);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
