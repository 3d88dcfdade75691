// The local pod network model: slots, node addresses, podCIDRs, and round-robin pod addresses.
import { describe, expect, it } from 'vitest';
import {
  addressSlot,
  defaultPodCidr,
  PodAddresses,
  slotAddress,
  slotPodCidr,
} from '../../src/agent/network';

describe('pod network model', () => {
  it('maps node slot s to 127.0.(s>>8).(s&255) and podCIDR 127.(16+(s>>8)).(s&255).0/24', () => {
    expect([slotAddress(2), slotPodCidr(2)]).toEqual(['127.0.0.2', '127.16.2.0/24']);
    expect([slotAddress(257), slotPodCidr(257)]).toEqual(['127.0.1.1', '127.17.1.0/24']);
    expect(slotPodCidr(4095)).toBe('127.31.255.0/24');
    expect(() => slotPodCidr(4096)).toThrow(/outside/);
    expect(addressSlot('127.0.1.1')).toBe(257);
    expect(defaultPodCidr('127.0.0.3')).toBe('127.16.3.0/24');
  });

  it('gives real machines (addresses outside 127.0.x.y) no local podCIDR: pods share the node address', () => {
    expect(defaultPodCidr('192.0.2.10')).toBeUndefined();
    expect(defaultPodCidr('127.5.0.1')).toBeUndefined();
    const a = new PodAddresses(undefined, '192.0.2.10');
    expect(a.allocate('u1')).toBe('192.0.2.10');
    expect(a.allocate('u2')).toBe('192.0.2.10');
  });

  it('hands out distinct addresses, keeps one per pod, and does not reuse a freed one at once', () => {
    const a = new PodAddresses('127.16.2.0/24', '127.0.0.2');
    expect(a.allocate('u1')).toBe('127.16.2.1');
    expect(a.allocate('u2')).toBe('127.16.2.2');
    expect(a.allocate('u1')).toBe('127.16.2.1');
    a.release('u1');
    expect(a.allocate('u3')).toBe('127.16.2.3');
    expect(a.lookup('u1')).toBeUndefined();
  });

  it('keeps the addresses pods already hold after an agent restart, and refuses foreign or taken ones', () => {
    const a = new PodAddresses('127.16.2.0/24', '127.0.0.2');
    expect(a.reserve('old', '127.16.2.7')).toBe(true);
    expect(a.reserve('other', '127.16.2.7')).toBe(false);
    expect(a.reserve('foreign', '127.16.3.1')).toBe(false);
    expect(a.allocate('old')).toBe('127.16.2.7');
    for (let i = 0; i < 10; i++) expect(a.allocate(`n${i}`)).not.toBe('127.16.2.7');
  });

  it('runs out with a clear error after 254 pods', () => {
    const a = new PodAddresses('127.16.9.0/24', '127.0.0.9');
    for (let i = 0; i < 254; i++) a.allocate(`p${i}`);
    expect(() => a.allocate('one-too-many')).toThrow('no pod address left in 127.16.9.0/24');
  });
});
