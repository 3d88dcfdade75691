// Protobuf wire-format reader (varint, fixed32/64, length-delimited) over a Uint8Array; no dependencies.

export type ProtobufErrorReason = 'BadMagic' | 'UnsupportedKind' | 'Truncated' | 'Malformed';

/** Every decoding failure; `reason` lets the server pick 415 (UnsupportedKind) or 400 (the rest). */
export class ProtobufDecodeError extends Error {
  readonly reason: ProtobufErrorReason;
  constructor(reason: ProtobufErrorReason, message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
    this.reason = reason;
  }
}

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  Bytes: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

export interface Tag {
  field: number;
  wireType: number;
}

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

export class ProtoReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  tag(): Tag {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0)
      throw new ProtobufDecodeError('Malformed', `invalid field number 0 at byte ${this.pos}`);
    return { field, wireType: key % 8 };
  }

  /** Unsigned varint up to 2^53; larger values lose precision, which no Kubernetes field reaches. */
  varint(): number {
    const [lo, hi] = this.varint64();
    return hi * TWO_32 + lo;
  }

  int32(): number {
    // Negative int32s travel as 10-byte two's-complement varints; the low 32 bits carry the value.
    return this.varint64()[0] | 0;
  }

  int64(): number {
    const [lo, hi] = this.varint64();
    return hi >= 0x80000000 ? (hi - TWO_32) * TWO_32 + lo : hi * TWO_32 + lo;
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  fixed32(): number {
    this.need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getUint32(0, true);
    this.pos += 4;
    return v;
  }

  fixed64(): number {
    this.need(8);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getUint32(4, true) * TWO_32 + view.getUint32(0, true);
  }

  /** A view (not a copy) of the next length-delimited payload. */
  bytes(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    // Go does not validate UTF-8 here and its JSON encoder substitutes U+FFFD, as TextDecoder does.
    return utf8.decode(this.bytes());
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint64();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Bytes:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        // Groups (3/4) are proto1 relics that go-to-protobuf never emits.
        throw new ProtobufDecodeError(
          'Malformed',
          `unsupported wire type ${wireType} at byte ${this.pos}`,
        );
    }
  }

  private varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated(this.pos);
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtobufDecodeError('Malformed', `varint longer than 10 bytes at byte ${this.pos}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw truncated(this.pos);
  }
}

function truncated(pos: number): ProtobufDecodeError {
  return new ProtobufDecodeError('Truncated', `protobuf body is truncated at byte ${pos}`);
}
