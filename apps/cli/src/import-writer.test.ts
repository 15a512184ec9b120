import { TRPCClientError } from "@ledgerflow/client";
import { describe, expect, it } from "vitest";
import type { ImportRow } from "./csv-import";
import { type ImportApi, ImportFailure, writeInChunks } from "./import-writer";

const rows: ImportRow[] = Array.from({ length: 7 }, (_, i) => ({
  line: i + 2,
  item: { amount: `${i + 1}.00`, category: "MISC", spentOn: "2026-01-01" },
}));

const refusal = () =>
  new TRPCClientError("Invalid input", {
    result: {
      error: {
        code: -32600,
        message: "Invalid input",
        data: { code: "BAD_REQUEST", fieldErrors: [{ path: "items.1.amount", message: "bad" }] },
      },
    },
  });

/** A server that keeps what it is sent, and can be told to fail a given call. */
function fakeServer(fail: (call: number) => Error | null, opts: { failDelete?: boolean } = {}) {
  const stored = new Map<string, string>();
  const byKey = new Map<string, string>();
  let calls = 0;
  let next = 0;
  const api: ImportApi<{ id: string }> = {
    async createMany(items) {
      calls += 1;
      const err = fail(calls);
      if (err) throw err;
      return items.map((it) => {
        const existing = byKey.get(it.idempotencyKey);
        if (existing) return { id: existing };
        next += 1;
        const id = `e${next}`;
        stored.set(id, it.amount);
        byKey.set(it.idempotencyKey, id);
        return { id };
      });
    },
    async remove(id) {
      if (opts.failDelete) throw new Error("connection reset");
      stored.delete(id);
    },
  };
  return { api, stored, calls: () => calls };
}

describe("writeInChunks", () => {
  it("writes every row, a chunk per call", async () => {
    const server = fakeServer(() => null);
    const created = await writeInChunks(server.api, rows, { chunkSize: 3, runId: "r" });
    expect(created).toHaveLength(7);
    expect(server.calls()).toBe(3);
    expect([...server.stored.values()]).toEqual(rows.map((r) => r.item.amount));
  });

  it("takes back earlier chunks when a later one is refused", async () => {
    const server = fakeServer((call) => (call === 3 ? refusal() : null));
    const err = await writeInChunks(server.api, rows, { chunkSize: 3, runId: "r" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImportFailure);
    const failure = err as ImportFailure;
    expect(failure.chunk.map((r) => r.line)).toEqual([8]);
    expect(failure.leftBehind).toBe(0);
    expect(failure.uncertain).toBe(false);
    expect(server.stored.size).toBe(0);
  });

  it("retries a call whose answer was lost, without writing its rows twice", async () => {
    let lost = false;
    const server = fakeServer(() => null);
    const flaky: ImportApi<{ id: string }> = {
      ...server.api,
      async createMany(items) {
        const res = await server.api.createMany(items);
        if (!lost) {
          lost = true;
          throw new TypeError("fetch failed");
        }
        return res;
      },
    };
    const created = await writeInChunks(flaky, rows, { chunkSize: 5, runId: "r" });
    expect(created).toHaveLength(7);
    expect(server.stored.size).toBe(7);
  });

  it("says when written rows could not be removed again", async () => {
    const server = fakeServer((call) => (call === 2 ? refusal() : null), { failDelete: true });
    const err = (await writeInChunks(server.api, rows, { chunkSize: 4, runId: "r" }).catch(
      (e: unknown) => e,
    )) as ImportFailure;
    expect(err.leftBehind).toBe(4);
  });
});
