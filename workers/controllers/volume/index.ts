// The volume controllers: claim binding and local-path provisioning, volume reclaim, protection finalizers.
export { claimBinder } from './claims';
export { volumeReclaimer } from './volumes';
export { pvcProtection, pvProtection } from './protection';
