// The write budget of one pass: a hard bound on what a pass may write, enforced where requests leave.
import type { EventRecorder } from '../../src/client/events';
import type { Transport } from '../../src/client/transport';

/** Thrown when a pass used up its writes; the pass stops and asks to run again. */
export class BudgetExhausted extends Error {
  override name = 'BudgetExhausted';
}

/** Counts writes against a limit. */
export class WriteBudget {
  constructor(public left: number) {}
  take(n = 1): void {
    if (this.left < n) throw new BudgetExhausted('write budget exhausted');
    this.left -= n;
  }
}

/**
 * Every request but a read takes one unit of `budget`; once it is spent, writes fail before they
 * leave. This is the backstop: whatever a controller forgets to count, a pass never writes more.
 */
export function budgetedTransport(inner: Transport, budget: WriteBudget): Transport {
  return (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      try {
        budget.take();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return inner(request);
  };
}

/**
 * Records at most `max` events; the rest are dropped, as client-go's broadcaster drops events when
 * its queue is full. Events are best effort: a pass that creates 200 pods must not write 200 more.
 */
export function boundedRecorder(
  inner: EventRecorder,
  max: number,
): EventRecorder & { dropped: number } {
  let left = max;
  const r = {
    dropped: 0,
    async event(...args: Parameters<EventRecorder['event']>) {
      if (left <= 0) {
        r.dropped++;
        return;
      }
      left--;
      await inner.event(...args);
    },
  };
  return r;
}
