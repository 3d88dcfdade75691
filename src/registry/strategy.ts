// The per-resource strategy contract: defaulting, validation, write and delete rules, all pure.
import type { KObject } from '../api/types';
import type { FieldError } from './field-errors';

export interface StrategyContext {
  /** Subresource being written ("" for the main resource, "status", "scale", ...). */
  subresource: string;
}

/** What DELETE asked for, as the REST layer parsed it (DeleteOptions). */
export interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

export interface ResourceStrategy {
  /** Fill defaults in place, as the Go defaulters do (SetDefaults_*). Runs on reads too: idempotent. */
  applyDefaults(obj: KObject): void;
  /**
   * Create-only preparation after defaulting, before validation (upstream PrepareForCreate), e.g.
   * clearing status a client may not set. The REST layer has already set the server-owned metadata.
   */
  prepareForCreate?(obj: KObject): void;
  /**
   * Kind-specific update preparation (upstream PrepareForUpdate), after the common rules: the
   * server-owned metadata is copied from `live`, a /status write has kept the stored spec and a
   * main-resource write the stored status (when hasStatus). `subresource` is "" for the resource.
   */
  prepareForUpdate?(next: KObject, live: KObject, subresource: string): void;
  /** Validate a new object; return every error found, never stop at the first. */
  validate(obj: KObject): FieldError[];
  /** Validate an update, including immutable fields, against the stored object. */
  validateUpdate(obj: KObject, old: KObject): FieldError[];
  /**
   * Whether the resource has a status subresource. If so, writes to the main resource keep the
   * stored status and writes to /status keep the stored spec (and metadata other than labels,
   * annotations, finalizers and ownerReferences stay as Kubernetes' status strategies leave them).
   */
  hasStatus: boolean;
  /** Whether spec changes bump metadata.generation (true for every kind with a spec). */
  tracksGeneration: boolean;
  /**
   * With tracksGeneration: whether this update changes what generation counts (default: spec).
   * Custom resources count everything but metadata (and status, with a status subresource).
   */
  generationChanged?(next: KObject, live: KObject): boolean;
  /**
   * Graceful deletion (upstream CheckGracefulDelete): the seconds the object lingers with a
   * deletionTimestamp before it goes, 0 for at once. Kinds without it are removed at once (unless
   * finalizers hold them).
   */
  gracePeriod?(obj: KObject, req: DeleteRequest): number;
  /**
   * A kind whose deletion is its own process (namespaces: mark Terminating, let the controller
   * empty it). Returns the object to store marked for deletion, `cur` itself when nothing changes,
   * or undefined when it can be removed now. `finalizers` is metadata.finalizers plus what the
   * propagation policy adds.
   */
  markForDeletion?(cur: KObject, finalizers: Set<string>): KObject | undefined;
  /**
   * Whether something outside metadata.finalizers still holds an object being deleted (namespaces:
   * spec.finalizers), so an update that removes the last metadata finalizer does not remove it.
   */
  heldBeyondFinalizers?(obj: KObject): boolean;
}
