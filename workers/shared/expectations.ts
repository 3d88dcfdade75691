// Expectations: the creates and deletes a controller issued and has not yet seen in its cache.
// k8s: pkg/controller/controller_utils.go ControllerExpectations, UIDTrackingControllerExpectations

/** k8s: ExpectationsTimeout: after this long unobserved expectations are given up on. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  /** Keys ("namespace/name") of pods we deleted and wait to see gone (the UID-tracking variant). */
  deletes: Set<string>;
  at: number;
}

/**
 * A workload controller must not act again on a count its cache has not caught up with: after
 * creating 3 pods, a sync that still sees 0 would create 3 more. So each owner key records what it
 * expects; the cache's events lower the counts; the owner syncs again only once they reach zero,
 * or after the timeout (a lost event must not wedge the owner forever).
 */
export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** k8s: SatisfiedExpectations: true when nothing is pending, or what is pending timed out. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.deletes.size === 0) return true;
    return this.now() - e.at > this.timeoutMs;
  }

  /** k8s: ExpectCreations / ExpectDeletions (SetExpectations): replaces what was expected. */
  expect(key: string, adds: number, deleteKeys: string[] = []): void {
    this.byKey.set(key, { add: adds, deletes: new Set(deleteKeys), at: this.now() });
  }

  /** k8s: CreationObserved, also called when a create failed (no pod will come). */
  creationObserved(key: string, n = 1): void {
    const e = this.byKey.get(key);
    if (e) e.add -= n;
  }

  /** k8s: DeletionObserved: the pod is gone (or terminating), or its delete failed. */
  deletionObserved(key: string, podKey: string): void {
    this.byKey.get(key)?.deletes.delete(podKey);
  }

  /** k8s: DeleteExpectations: the owner is gone. */
  delete(key: string): void {
    this.byKey.delete(key);
  }

  pending(key: string): { add: number; deletes: number } | undefined {
    const e = this.byKey.get(key);
    return e && { add: e.add, deletes: e.deletes.size };
  }
}
