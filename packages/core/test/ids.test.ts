import { describe, expect, it } from "vitest";
import { uuidv7 } from "../src/ids";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  it("has the version 7 and RFC 9562 variant bits", () => {
    for (let i = 0; i < 2_000; i++) expect(uuidv7()).toMatch(UUID_V7);
  });

  it("carries the creation time in its first 48 bits", () => {
    for (const ms of [0, 1, 0xff_ffff_ffff, 1_764_151_200_123, 2 ** 48 - 1]) {
      const id = uuidv7(ms);
      expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
    }
  });

  it("sorts by creation time across milliseconds", () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => uuidv7(1_764_151_200_000 + i * 7));
    expect([...ids].sort()).toEqual(ids);
  });

  it("does not repeat, pool refills included", () => {
    const n = 10_000;
    const ids = new Set(Array.from({ length: n }, () => uuidv7(1_764_151_200_000)));
    expect(ids.size).toBe(n);
  });
});
