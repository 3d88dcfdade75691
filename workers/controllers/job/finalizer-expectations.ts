// Finalizer removals a Job controller issued and has not yet seen in its cache: until it has, a pod whose
// finalizer it removed must not be counted again. k8s: pkg/controller/job/tracking_utils.go uidTrackingExpectations

export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  expect(jobKey: string, uids: string[]): void {
    let set = this.byJob.get(jobKey);
    if (!set) this.byJob.set(jobKey, (set = new Set()));
    for (const u of uids) set.add(u);
  }

  observed(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    set?.delete(uid);
    if (set?.size === 0) this.byJob.delete(jobKey);
  }

  get(jobKey: string): ReadonlySet<string> {
    return this.byJob.get(jobKey) ?? new Set();
  }

  delete(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
