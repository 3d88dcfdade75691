// The view of a schema that patching and field ownership need: where lists merge, and by which keys.
// The registry's schemas implement it (src/registry/schema); patch code depends only on this shape.

export interface SchemaNav {
  /** The schema of a named field of an object, or the value schema of a map. */
  field(name: string): SchemaNav | undefined;
  /** The schema of a list's items. */
  items(): SchemaNav | undefined;
  /** 'object' | 'array' | 'map' | 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'any' */
  readonly kind: string;
  /** x-kubernetes-patch-strategy, e.g. "merge", "retainKeys", "merge,retainKeys", "replace". */
  readonly patchStrategy?: string;
  /** x-kubernetes-patch-merge-key, e.g. "name" for containers, "containerPort" for container ports. */
  readonly patchMergeKey?: string;
  /** x-kubernetes-list-type: "atomic" | "set" | "map". */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys for listType "map". */
  readonly listMapKeys?: string[];
  /** x-kubernetes-map-type: "atomic" | "granular". */
  readonly mapType?: 'atomic' | 'granular';
}

/** A nav that knows nothing: every list is atomic and every field is free-form. */
export const ANY_NAV: SchemaNav = {
  kind: 'any',
  field: () => ANY_NAV,
  items: () => ANY_NAV,
};
