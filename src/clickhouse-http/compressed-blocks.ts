// ClickHouse's own compressed blocks, as its HTTP interface sends them with `compress=1` and reads them with
// `decompress=1` (the JDBC driver asks for them by default). A block is a 16-byte checksum, CityHash128 v1.0.2 of
// what follows; a 9-byte header, the method (0x82: LZ4, 0x02: none), the block's size with its header and the
// data's size, both little-endian UInt32; then the data. Pure functions.
//
// CityHash128 is the version ClickHouse pins (1.0.2, contrib/cityhash102 in ClickHouse's repository, MIT licence by
// Google), written here on BigInt: checksums only, of answers an analyst reads.

const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const K3 = 0xc949d7c7509e6557n;
const KMUL = 0x9ddfea08eb382d69n;

type U128 = [low: bigint, high: bigint];

const mul = (a: bigint, b: bigint) => (a * b) & MASK;
const add = (...values: bigint[]) => values.reduce((sum, v) => sum + v, 0n) & MASK;
const sub = (a: bigint, b: bigint) => (a - b) & MASK;
const rotate = (v: bigint, shift: number) => (shift === 0 ? v : ((v >> BigInt(shift)) | (v << BigInt(64 - shift))) & MASK);
const shiftMix = (v: bigint) => v ^ (v >> 47n);

function hash128to64(low: bigint, high: bigint): bigint {
  let a = mul(low ^ high, KMUL);
  a ^= a >> 47n;
  let b = mul(high ^ a, KMUL);
  b ^= b >> 47n;
  return mul(b, KMUL);
}

function hashLen0to16(view: DataView, at: number, len: number): bigint {
  if (len > 8) {
    const a = view.getBigUint64(at, true);
    const b = view.getBigUint64(at + len - 8, true);
    return hash128to64(a, rotate(add(b, BigInt(len)), len)) ^ b;
  }
  if (len >= 4) {
    const a = BigInt(view.getUint32(at, true));
    return hash128to64(add(BigInt(len), a << 3n), BigInt(view.getUint32(at + len - 4, true)));
  }
  if (len > 0) {
    const y = BigInt(view.getUint8(at) + (view.getUint8(at + (len >> 1)) << 8));
    const z = BigInt(len + (view.getUint8(at + len - 1) << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K3)), K2);
  }
  return K2;
}

function weakHashLen32WithSeeds(view: DataView, at: number, a: bigint, b: bigint): U128 {
  const [w, x, y, z] = [0, 8, 16, 24].map((o) => view.getBigUint64(at + o, true));
  a = add(a, w);
  b = rotate(add(b, a, z), 21);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotate(a, 44));
  return [add(a, z), add(b, c)];
}

function cityMurmur(view: DataView, at: number, len: number, seed: U128): U128 {
  const fetch = (offset: number) => view.getBigUint64(offset, true);
  let [a, b] = seed;
  let c: bigint;
  let d: bigint;
  let l = len - 16;
  if (l <= 0) {
    a = mul(shiftMix(mul(a, K1)), K1);
    c = add(mul(b, K1), hashLen0to16(view, at, len));
    d = shiftMix(add(a, len >= 8 ? fetch(at) : c));
  } else {
    c = hash128to64(add(fetch(at + len - 8), K1), a);
    d = hash128to64(add(b, BigInt(len)), add(c, fetch(at + len - 16)));
    a = add(a, d);
    do {
      a ^= mul(shiftMix(mul(fetch(at), K1)), K1);
      a = mul(a, K1);
      b ^= a;
      c ^= mul(shiftMix(mul(fetch(at + 8), K1)), K1);
      c = mul(c, K1);
      d ^= c;
      at += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hash128to64(a, c);
  b = hash128to64(d, b);
  return [a ^ b, hash128to64(b, a)];
}

function cityHash128WithSeed(view: DataView, at: number, len: number, seed: U128): U128 {
  if (len < 128) return cityMurmur(view, at, len, seed);
  const fetch = (offset: number) => view.getBigUint64(offset, true);
  let [x, y] = seed;
  let z = mul(BigInt(len), K1);
  const v: U128 = [0n, 0n];
  const w: U128 = [0n, 0n];
  v[0] = add(mul(rotate(y ^ K1, 49), K1), fetch(at));
  v[1] = add(mul(rotate(v[0], 42), K1), fetch(at + 8));
  w[0] = add(mul(rotate(add(y, z), 35), K1), x);
  w[1] = mul(rotate(add(x, fetch(at + 88)), 53), K1);
  const round = () => {
    x = mul(rotate(add(x, y, v[0], fetch(at + 16)), 37), K1);
    y = mul(rotate(add(y, v[1], fetch(at + 48)), 42), K1);
    x ^= w[1];
    y ^= v[0];
    z = rotate(z ^ w[0], 33);
    [v[0], v[1]] = weakHashLen32WithSeeds(view, at, mul(v[1], K1), add(x, w[0]));
    [w[0], w[1]] = weakHashLen32WithSeeds(view, at + 32, add(z, w[1]), y);
    [z, x] = [x, z];
    at += 64;
  };
  do {
    round();
    round();
    len -= 128;
  } while (len >= 128);
  y = add(y, mul(rotate(w[0], 37), K0), z);
  x = add(x, mul(rotate(add(v[0], z), 49), K0));
  for (let tailDone = 0; tailDone < len;) {
    tailDone += 32;
    y = add(mul(rotate(sub(y, x), 42), K0), v[1]);
    w[0] = add(w[0], fetch(at + len - tailDone + 16));
    x = add(mul(rotate(x, 49), K0), w[0]);
    w[0] = add(w[0], v[0]);
    [v[0], v[1]] = weakHashLen32WithSeeds(view, at + len - tailDone, v[0], v[1]);
  }
  x = hash128to64(x, v[0]);
  y = hash128to64(y, w[0]);
  return [add(hash128to64(add(x, v[1]), w[1]), y), hash128to64(add(x, w[1]), add(y, v[1]))];
}

/** CityHash128 v1.0.2 of `s`: [low 64 bits, high 64 bits]. */
export function cityHash128(s: Uint8Array): U128 {
  const view = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const len = s.length;
  if (len >= 16) return cityHash128WithSeed(view, 16, len - 16, [view.getBigUint64(0, true) ^ K3, view.getBigUint64(8, true)]);
  if (len >= 8) {
    return cityHash128WithSeed(view, 0, 0, [view.getBigUint64(0, true) ^ mul(BigInt(len), K0), view.getBigUint64(len - 8, true) ^ K1]);
  }
  return cityHash128WithSeed(view, 0, len, [K0, K1]);
}

const LZ4 = 0x82;
const NONE = 0x02;
const HEADER = 9;
const CHECKSUM = 16;
/** ClickHouse's own block size for compressed output (max_compress_block_size). */
export const BLOCK_SIZE = 1_048_576;

/** An LZ4 block of literals only: valid LZ4 that any decoder reads, without the cost of finding matches. */
export function lz4Literals(data: Uint8Array): Buffer {
  const length = data.length;
  const extra = length >= 15 ? Math.floor((length - 15) / 255) + 1 : 0;
  const out = Buffer.alloc(1 + extra + length);
  out[0] = Math.min(length, 15) << 4;
  let at = 1;
  if (length >= 15) {
    let rest = length - 15;
    for (; rest >= 255; rest -= 255) out[at++] = 255;
    out[at++] = rest;
  }
  out.set(data, at);
  return out;
}

/** Decodes an LZ4 block into exactly `size` bytes. Throws on a malformed block. */
export function lz4Decode(block: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(size);
  let i = 0;
  let o = 0;
  const length = (initial: number) => {
    let n = initial;
    if (initial === 15) {
      for (let b = 255; b === 255; n += b) {
        if (i >= block.length) throw new Error('LZ4 block ends inside a length');
        b = block[i++];
      }
    }
    return n;
  };
  while (i < block.length) {
    const token = block[i++];
    const literals = length(token >> 4);
    if (i + literals > block.length || o + literals > size) throw new Error('LZ4 literals run past the block');
    out.set(block.subarray(i, i + literals), o);
    i += literals;
    o += literals;
    if (i >= block.length) break; // the last sequence has literals only
    const offset = block[i] | (block[i + 1] << 8);
    i += 2;
    const match = length(token & 15) + 4;
    if (offset === 0 || offset > o || o + match > size) throw new Error('LZ4 match out of range');
    for (let k = 0; k < match; k++, o++) out[o] = out[o - offset];
  }
  if (o !== size) throw new Error(`LZ4 block decodes to ${o} bytes, not ${size}`);
  return out;
}

function frame(method: number, payload: Uint8Array, rawSize: number): Buffer {
  const block = Buffer.alloc(CHECKSUM + HEADER + payload.length);
  block[CHECKSUM] = method;
  block.writeUInt32LE(HEADER + payload.length, CHECKSUM + 1);
  block.writeUInt32LE(rawSize, CHECKSUM + 5);
  block.set(payload, CHECKSUM + HEADER);
  const [low, high] = cityHash128(block.subarray(CHECKSUM));
  block.writeBigUInt64LE(low, 0);
  block.writeBigUInt64LE(high, 8);
  return block;
}

/** `data` as ClickHouse's compressed blocks (LZ4), one `blockSize` of data at a time. */
export function* compressedBlocks(data: Uint8Array, blockSize = BLOCK_SIZE): Generator<Buffer> {
  for (let at = 0; at < data.length; at += blockSize) {
    const part = data.subarray(at, Math.min(at + blockSize, data.length));
    yield frame(LZ4, lz4Literals(part), part.length);
  }
}

/** `data` as ClickHouse's compressed blocks (LZ4), as its HTTP interface answers with compress=1. */
export function toCompressedBlocks(data: Uint8Array, blockSize = BLOCK_SIZE): Buffer {
  return Buffer.concat([...compressedBlocks(data, blockSize)]);
}

/** The data of ClickHouse's compressed blocks (a decompress=1 request body), each checksum verified. */
export function fromCompressedBlocks(body: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const view = Buffer.from(body.buffer, body.byteOffset, body.length);
  for (let at = 0; at < view.length;) {
    if (view.length - at < CHECKSUM + HEADER) throw new Error('compressed block cut short');
    const method = view[at + CHECKSUM];
    const size = view.readUInt32LE(at + CHECKSUM + 1);
    const rawSize = view.readUInt32LE(at + CHECKSUM + 5);
    if (size < HEADER || at + CHECKSUM + size > view.length) throw new Error('compressed block cut short');
    const [low, high] = cityHash128(view.subarray(at + CHECKSUM, at + CHECKSUM + size));
    if (low !== view.readBigUInt64LE(at) || high !== view.readBigUInt64LE(at + 8)) throw new Error('checksum mismatch in compressed block');
    const payload = view.subarray(at + CHECKSUM + HEADER, at + CHECKSUM + size);
    if (method === LZ4) parts.push(lz4Decode(payload, rawSize));
    else if (method === NONE) parts.push(Buffer.from(payload));
    else throw new Error(`unknown compression method 0x${method.toString(16)}`);
    at += CHECKSUM + size;
  }
  return Buffer.concat(parts);
}
