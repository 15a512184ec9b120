import { randomFillSync } from "node:crypto";

/**
 * Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then 74 random
 * bits. New expenses therefore land at the right edge of the primary key's B-tree instead
 * of on a random page of it, so a bulk import touches a few index pages, not one per row.
 * The creation time they reveal is in the expense's `createdAt` anyway; ids carry no
 * authority, since every read and write is scoped to its owner.
 *
 * Random bits come from the CSPRNG in blocks of 512 ids, and each id is written as ASCII
 * into one buffer: imports make hundreds at a time, and this allocates only the string.
 */
const POOL_IDS = 512;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolNext = POOL_IDS;
const HEX = Buffer.from("0123456789abcdef", "latin1");
/** The id is written here as ASCII and read out as one string: no pieces to join. */
const out = Buffer.alloc(36, "-", "latin1");
/** Where each of the 32 hex digits goes in the 36 characters. */
const SLOTS = [
  0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30,
  31, 32, 33, 34, 35,
];

export function uuidv7(now: number = Date.now()): string {
  if (poolNext === POOL_IDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  const r = poolNext * 16;
  poolNext++;
  // 48-bit big-endian millisecond timestamp (Math.floor keeps the high part exact), then
  // the version nibble 7, 12 random bits, the variant bits 10 and 62 random bits.
  const high = Math.floor(now / 0x1_0000_0000);
  const low = now >>> 0;
  pool[r] = (high >>> 8) & 0xff;
  pool[r + 1] = high & 0xff;
  pool[r + 2] = low >>> 24;
  pool[r + 3] = (low >>> 16) & 0xff;
  pool[r + 4] = (low >>> 8) & 0xff;
  pool[r + 5] = low & 0xff;
  pool[r + 6] = 0x70 | ((pool[r + 6] as number) & 0x0f);
  pool[r + 8] = 0x80 | ((pool[r + 8] as number) & 0x3f);
  for (let i = 0; i < 16; i++) {
    const b = pool[r + i] as number;
    out[SLOTS[2 * i] as number] = HEX[b >>> 4] as number;
    out[SLOTS[2 * i + 1] as number] = HEX[b & 0x0f] as number;
  }
  return out.toString("latin1", 0, 36);
}
