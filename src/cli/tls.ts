// A self-signed ECDSA P-256 certificate for the local control plane, built with Node's crypto alone.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';

// Minimal DER: enough of ASN.1 to write one X.509 v3 certificate.
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer) =>
  Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, body: Buffer) => tlv(0xa0 + n, body);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));

/**
 * A non-negative DER INTEGER from big-endian bytes: minimal, so leading zero bytes go (a random
 * serial starting 0x00 0x7f was "illegal padding" to OpenSSL, about one certificate in 512), and a
 * set high bit gets one zero byte in front, or it would read as negative.
 */
export function derInteger(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires.
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2)))
    : tlv(0x18, Buffer.from(iso));
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export interface SelfSigned {
  certPem: string;
  keyPem: string;
  /** "sha256:<hex>" of the certificate's SubjectPublicKeyInfo, as kubeadm pins a CA. */
  caHash: string;
}

interface CertificateSpec {
  subject: string;
  issuer: string;
  /** The certified key. */
  publicKey: KeyObject;
  /** The issuer's key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject;
  ca: boolean;
  dnsNames: string[];
  ips: string[];
  days: number;
}

function certificatePem(c: CertificateSpec): string {
  const spki = c.publicKey.export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const sans = [
    ...c.dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...c.ips.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  ];
  const extensions = seq(
    extension('2.5.29.19', true, c.ca ? seq(bool(true)) : seq()), // basicConstraints
    // keyUsage: digitalSignature (+ keyCertSign for a CA)
    extension(
      '2.5.29.15',
      true,
      tlv(0x03, c.ca ? Buffer.from([0x02, 0x84]) : Buffer.from([0x07, 0x80])),
    ),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    extension('2.5.29.17', false, seq(...sans)), // subjectAltName
    extension('2.5.29.14', false, octets(createHash('sha1').update(spki).digest())), // subjectKeyIdentifier
  );
  const tbs = seq(
    explicit(0, derInteger(Buffer.from([2]))),
    derInteger(randomBytes(16)),
    ECDSA_SHA256,
    name(c.issuer),
    seq(time(new Date(now - 60_000)), time(new Date(now + c.days * 86_400_000))),
    name(c.subject),
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: c.signingKey, dsaEncoding: 'der' });
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

const spkiHash = (k: KeyObject) =>
  `sha256:${createHash('sha256')
    .update(k.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;

/** Makes a certificate valid for `dnsNames` and `ips` that is also its own CA (so clients can pin it). */
export function selfSignedCertificate(opts: {
  commonName: string;
  dnsNames: string[];
  ips: string[];
  days: number;
}): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    certPem: certificatePem({
      subject: opts.commonName,
      issuer: opts.commonName,
      publicKey,
      signingKey: privateKey,
      ca: true,
      dnsNames: opts.dnsNames,
      ips: opts.ips,
      days: opts.days,
    }),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    caHash: spkiHash(publicKey),
  };
}

export interface Serving {
  /** The serving certificate followed by its CA: the chain a server presents. */
  chainPem: string;
  keyPem: string;
}

/**
 * A serving certificate with a key of its own, issued by `ca` (a self-signed certificate from
 * selfSignedCertificate): clients that trust the CA accept it, and the CA's key, the one join tokens
 * pin, stays the same however often the serving names change.
 */
export function issueServingCertificate(
  ca: Pick<SelfSigned, 'certPem' | 'keyPem'>,
  opts: { commonName: string; dnsNames: string[]; ips: string[]; days: number },
): Serving {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issuer = new X509Certificate(ca.certPem).subject.replace(/^CN=/, '');
  const leaf = certificatePem({
    subject: opts.commonName,
    issuer,
    publicKey,
    signingKey: createPrivateKey(ca.keyPem),
    ca: false,
    dnsNames: opts.dnsNames,
    ips: opts.ips,
    days: opts.days,
  });
  return {
    chainPem: leaf + ca.certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
