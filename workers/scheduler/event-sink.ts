// The scheduler's events: collected during a pass and written at its end, so a pass's bindings are never held up by them.
import type { EventRecorder } from '../../src/client/events';
import type { EventSink } from './scheduler';
import type { Pod } from './types';

interface Pending {
  regarding: Pod;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Events in flight at once. */
const PARALLEL = 16;

/** One request per event through the recorder (events with the same name fold into a count). */
export function recorderSink(recorder: EventRecorder): EventSink {
  let pending: Pending[] = [];
  return {
    add(regarding, type, reason, message) {
      pending.push({ regarding, type, reason, message });
    },
    async flush() {
      const batch = pending;
      pending = [];
      for (let i = 0; i < batch.length; i += PARALLEL) {
        // An event that cannot be written is not worth failing a pass over.
        await Promise.all(batch.slice(i, i + PARALLEL).map((e) => recorder.event(e.regarding, e.type, e.reason, e.message).catch(() => undefined)));
      }
      return batch.length;
    },
  };
}
