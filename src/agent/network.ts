// The pod network model: which podCIDR a node owns and which address each pod on it gets.
//
// Local cluster (every node on one machine), everything inside 127.0.0.0/8, which Linux routes to
// `lo` as a whole, so any 127.x.y.z can be bound without configuring an interface:
//
//   node slot s (a small integer, unique per node in the cluster)
//     node address   127.0.(s >> 8).(s & 255)          slot 2 = 127.0.0.2, slot 3 = 127.0.0.3, ...
//     podCIDR        127.(16 + (s >> 8)).(s & 255).0/24  slot 2 = 127.16.2.0/24
//     pod IPs        .1 to .254 of the podCIDR, one per pod, handed out round-robin
//
//   Pod CIDRs together span 127.16.0.0/12 (slots 0..4095), clear of the node addresses (127.0.x.y)
//   and of the dev cluster's service range (127.96.0.0/16). A /24 holds 254 pods, more than the
//   110 a node admits. Each pod has its own address, so two replicas on one node never collide on
//   a port: apps bind $POD_IP (downward API status.podIP).
//
// Real machines (a node address outside 127.0.0.0/8): there is no overlay network and the process
// runtime has no network namespaces, so a pod's IP is the node's own address (the hostNetwork
// model) unless `--pod-cidr` names a range the machine routes; pods on one such node then share the
// node's ports, and other nodes reach them through the service proxy on the node address.
import { ipToNumber, ipToString, parseCidr, type Cidr } from '../lib/cidr';

const POD_BASE_SECOND_OCTET = 16;
export const MAX_LOCAL_SLOTS = 4096;

export function slotAddress(slot: number): string {
  return `127.0.${slot >> 8}.${slot & 255}`;
}

export function slotPodCidr(slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_LOCAL_SLOTS) {
    throw new Error(`node slot ${slot} is outside 0..${MAX_LOCAL_SLOTS - 1}`);
  }
  return `127.${POD_BASE_SECOND_OCTET + (slot >> 8)}.${slot & 255}.0/24`;
}

/** The slot of a local node address 127.0.x.y, or undefined for any other address. */
export function addressSlot(address: string): number | undefined {
  const n = ipToNumber(address);
  if (n === undefined || address.split('.')[0] !== '127' || address.split('.')[1] !== '0')
    return undefined;
  const slot = n % 65536;
  return slot < MAX_LOCAL_SLOTS ? slot : undefined;
}

/** The podCIDR a node with this address owns by the local scheme; undefined for real machines. */
export function defaultPodCidr(address: string): string | undefined {
  const slot = addressSlot(address);
  return slot === undefined ? undefined : slotPodCidr(slot);
}

/**
 * Pod addresses for one node. With no podCIDR every pod gets the node's address (real machines).
 * Addresses are handed out round-robin, so a freed one is not reused at once while Endpoints may
 * still list it (the host-local IPAM plugin does the same).
 */
export class PodAddresses {
  private readonly cidr?: Cidr;
  private readonly byPod = new Map<string, string>();
  private readonly taken = new Set<string>();
  private next = 1;

  constructor(
    podCidr: string | undefined,
    private readonly nodeAddress: string,
  ) {
    this.cidr = podCidr ? parseCidr(podCidr) : undefined;
  }

  get podCidr(): string | undefined {
    return this.cidr?.text;
  }

  /** Keeps the address a pod already had (an agent restart), when it is ours and free. */
  reserve(podUid: string, ip: string | undefined): boolean {
    if (!this.cidr || !ip || !this.cidr.contains(ip) || this.taken.has(ip)) return false;
    if (this.byPod.has(podUid)) return this.byPod.get(podUid) === ip;
    this.byPod.set(podUid, ip);
    this.taken.add(ip);
    return true;
  }

  lookup(podUid: string): string | undefined {
    return this.byPod.get(podUid);
  }

  allocate(podUid: string): string {
    if (!this.cidr) return this.nodeAddress;
    const had = this.byPod.get(podUid);
    if (had) return had;
    const usable = this.cidr.size - 2;
    for (let i = 0; i < usable; i++) {
      const offset = ((this.next - 1 + i) % usable) + 1;
      const ip = ipToString(this.cidr.base + offset);
      if (this.taken.has(ip)) continue;
      this.next = (offset % usable) + 1;
      this.byPod.set(podUid, ip);
      this.taken.add(ip);
      return ip;
    }
    throw new Error(`no pod address left in ${this.cidr.text}`);
  }

  release(podUid: string): void {
    const ip = this.byPod.get(podUid);
    if (!ip) return;
    this.byPod.delete(podUid);
    this.taken.delete(ip);
  }
}
