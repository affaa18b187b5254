import { cityHash128, fromCompressedBlocks, lz4Decode, lz4Literals, toCompressedBlocks } from './compressed-blocks';
import vectors from './compressed-blocks.vectors.json';

/** What each vector's column holds: number % 7 + 1 for number in [0, rows). */
const column = (rows: number) => Buffer.from(Array.from({ length: rows }, (_, n) => (n % 7) + 1));

describe(cityHash128.name, () => {
  it("matches ClickHouse's own checksums, blocks written by the engine (hashed lengths 10 to 1,009 bytes)", () => {
    for (const { codec, rows, hex } of vectors.blocks) {
      const block = Buffer.from(hex, 'hex');
      const [low, high] = cityHash128(block.subarray(16));
      expect({ codec, rows, low, high }).toEqual({ codec, rows, low: block.readBigUInt64LE(0), high: block.readBigUInt64LE(8) });
    }
  });

  it('tells inputs apart that differ in one byte', () => {
    const data = column(300);
    const changed = Buffer.from(data);
    changed[150] ^= 1;
    expect(cityHash128(changed)).not.toEqual(cityHash128(data));
  });
});

describe(fromCompressedBlocks.name, () => {
  it("reads the engine's blocks, LZ4 with matches and uncompressed, to the column's bytes", () => {
    for (const { codec, rows, hex } of vectors.blocks) {
      expect({ codec, rows, data: fromCompressedBlocks(Buffer.from(hex, 'hex')) }).toEqual({ codec, rows, data: column(rows) });
    }
  });

  it('refuses a block whose checksum does not match, or that is cut short', () => {
    const block = Buffer.from(vectors.blocks.find((b) => b.rows === 60)!.hex, 'hex');
    const corrupt = Buffer.from(block);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(() => fromCompressedBlocks(corrupt)).toThrow('checksum mismatch in compressed block');
    expect(() => fromCompressedBlocks(block.subarray(0, block.length - 1))).toThrow('compressed block cut short');
  });
});

describe(toCompressedBlocks.name, () => {
  it('writes blocks that read back, split at the block size, including the empty answer', () => {
    for (const size of [0, 1, 14, 15, 16, 269, 270, 271, 5000]) {
      const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 251));
      const blocks = toCompressedBlocks(data, 1000);
      expect(fromCompressedBlocks(blocks)).toEqual(data);
      expect(blocks.length).toBe(
        size === 0 ? 0 : size + Math.ceil(size / 1000) * 25 + Math.ceil(size / 1000) * 1 + extraLengthBytes(size, 1000),
      );
    }
  });
});

/** LZ4 length bytes of literal runs of `size` split into `block`-sized parts. */
function extraLengthBytes(size: number, block: number): number {
  let n = 0;
  for (let at = 0; at < size; at += block) {
    const part = Math.min(block, size - at);
    if (part >= 15) n += Math.floor((part - 15) / 255) + 1;
  }
  return n;
}

describe(lz4Literals.name, () => {
  it('encodes literal runs around the 15 and 270 length boundaries as LZ4 reads them', () => {
    for (const size of [0, 1, 14, 15, 16, 269, 270, 271, 525]) {
      const data = Buffer.alloc(size, 7);
      expect(lz4Decode(lz4Literals(data), size)).toEqual(data);
    }
    expect([...lz4Literals(Buffer.alloc(15, 1)).subarray(0, 2)]).toEqual([0xf0, 0]);
    expect([...lz4Literals(Buffer.alloc(270, 1)).subarray(0, 3)]).toEqual([0xf0, 255, 0]);
  });
});
