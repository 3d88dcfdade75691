// DER INTEGERs in the dev certificates: minimal and non-negative, whatever random bytes the serial gets.
import { describe, expect, it } from 'vitest';
import { derInteger } from '../../src/cli/tls';

const hex = (b: Buffer) => b.toString('hex');

describe('derInteger', () => {
  it('drops leading zero bytes and adds one only before a set high bit', () => {
    expect(hex(derInteger(Buffer.from([0x00, 0x7f, 0x01])))).toBe('02027f01');
    expect(hex(derInteger(Buffer.from([0x00, 0x00, 0x80])))).toBe('02020080');
    expect(hex(derInteger(Buffer.from([0x80, 0x01])))).toBe('0203008001');
    expect(hex(derInteger(Buffer.from([0x00, 0x00])))).toBe('020100');
    expect(hex(derInteger(Buffer.from([0x02])))).toBe('020102');
  });
});
