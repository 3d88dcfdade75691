// The scheduler's events: collected during a pass and written at its end in one call, so a binding costs one request, not two.
import { newEvent } from '../../src/client/events';
import { rfc3339 } from '../../src/lib/time';
import type { EventSink } from './scheduler';
import type { Pod } from './types';

/** Sends a batch of core/v1 Events; answers each one's HTTP status (the SchedulerApi entrypoint's createEvents). */
export type CreateEvents = (events: Record<string, unknown>[]) => Promise<number[]>;

/** Events per call; the entrypoint takes at most 500. */
const BATCH = 500;

/**
 * core/v1 Events as client-go's recorder writes them: named `<object>.<hex timestamp>`, source and
 * reportingComponent the scheduler's name, count 1. A Scheduled event happens once per binding, so
 * nothing needs folding into an earlier event's count.
 */
export function batchSink(
  createEvents: CreateEvents,
  component: string,
  now: () => number,
): EventSink {
  let pending: Record<string, unknown>[] = [];
  let seq = 0;
  return {
    add(regarding: Pod, type, reason, message) {
      const t = now();
      const stamp = rfc3339(t);
      // Pods from a list carry no kind or apiVersion of their own.
      const pod = {
        ...regarding,
        apiVersion: regarding.apiVersion ?? 'v1',
        kind: regarding.kind ?? 'Pod',
      };
      const name = `${regarding.metadata.name}.${(t * 1000 + (seq++ % 1000)).toString(16)}`;
      pending.push(newEvent(pod, name, type, reason, message, { component }, stamp));
    },
    async flush() {
      const all = pending;
      pending = [];
      let calls = 0;
      for (let i = 0; i < all.length; i += BATCH) {
        calls++;
        // An event that cannot be written is not worth failing a pass over.
        const codes = await createEvents(all.slice(i, i + BATCH)).catch((e: unknown) => {
          console.error(
            `scheduler: writing ${Math.min(BATCH, all.length - i)} events: ${String(e)}`,
          );
          return [];
        });
        const failed = codes.filter((c) => c < 200 || c > 299).length;
        if (failed)
          console.error(
            `scheduler: ${failed} of ${codes.length} events refused (HTTP ${[...new Set(codes.filter((c) => c < 200 || c > 299))].join(', ')})`,
          );
      }
      return calls;
    },
  };
}
