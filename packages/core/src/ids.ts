import { randomFillSync } from "node:crypto";

/**
 * Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then 74 random
 * bits. New expenses therefore land at the right edge of the primary key's B-tree instead
 * of on a random page of it, so a bulk import touches a few index pages, not one per row.
 * The creation time they reveal is in the expense's `createdAt` anyway; ids carry no
 * authority, since every read and write is scoped to its owner.
 */
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolUsed = POOL_IDS;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function uuidv7(now: number = Date.now()): string {
  if (poolUsed === POOL_IDS) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const b = pool.subarray(poolUsed * 16, poolUsed * 16 + 16);
  poolUsed++;
  // 48-bit big-endian millisecond timestamp; Math.floor keeps the high part exact.
  const high = Math.floor(now / 0x1_0000_0000);
  const low = now >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = low >>> 24;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const h = (i: number) => HEX[b[i] as number] as string;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
