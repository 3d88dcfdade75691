// Type aliases shared by admission plugins.
export type { KObject } from '../../api/types';
export type { ResourceInfo as ResourceInfoLike } from '../../api/resources';
