import { randomUUID } from "node:crypto";

/**
 * Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then 74 random
 * bits. New expenses therefore land at the right edge of the primary key's B-tree instead
 * of on a random page of it, so a bulk import touches a few index pages, not one per row.
 * The creation time they reveal is in the expense's `createdAt` anyway; ids carry no
 * authority, since every read and write is scoped to its owner.
 *
 * The random part comes from `randomUUID` (a version 4 UUID, drawn from Node's buffered
 * CSPRNG): its 74 random bits after the version digit are kept with the variant bits as
 * they are, and the first 48 bits and the version digit are replaced.
 */
let lastMs = -1;
let lastPrefix = "";

export function uuidv7(now: number = Date.now()): string {
  if (now !== lastMs) {
    const hex = now.toString(16).padStart(12, "0");
    lastPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
    lastMs = now;
  }
  // "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx": keep from the digit after the version on.
  return lastPrefix + randomUUID().slice(15);
}
