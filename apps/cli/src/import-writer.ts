import { isTRPCClientError } from "@ledgerflow/client";
import type { ImportRow } from "./csv-import";

export interface ImportApi<T extends { id: string }> {
  createMany(items: (ImportRow["item"] & { idempotencyKey: string })[]): Promise<T[]>;
  remove(id: string): Promise<void>;
}

/** Why an import stopped, and what it left behind. */
export class ImportFailure extends Error {
  override readonly name = "ImportFailure";
  constructor(
    override readonly cause: unknown,
    /** The rows of the call that failed, to map `items.3.amount` back to file lines. */
    readonly chunk: ImportRow[],
    /** Expenses written by earlier calls that could not be deleted again. */
    readonly leftBehind: number,
    /** The failed call's own rows may have been written (its answer was lost). */
    readonly uncertain: boolean,
  ) {
    super("import failed");
  }
}

/** A refusal by the server (it answered with a code), as opposed to a lost connection. */
function refusedByServer(err: unknown): boolean {
  return isTRPCClientError(err) && typeof err.data?.code === "string";
}

/**
 * Writes rows in calls of `chunkSize`, each all or nothing on the server. Should a later
 * call fail, the expenses of the earlier ones are deleted again, so the file as a whole
 * is all or nothing too. Idempotency keys tie each row to this run: a call whose answer
 * was lost is retried once without writing its rows twice.
 */
export async function writeInChunks<T extends { id: string }>(
  api: ImportApi<T>,
  rows: ImportRow[],
  opts: { chunkSize: number; runId: string },
): Promise<T[]> {
  const created: T[] = [];
  for (let start = 0; start < rows.length; start += opts.chunkSize) {
    const chunk = rows.slice(start, start + opts.chunkSize);
    const items = chunk.map((r) => ({
      ...r.item,
      idempotencyKey: `import:${opts.runId}:${r.line}`,
    }));
    try {
      created.push(
        ...(await api.createMany(items).catch((err: unknown) => {
          if (refusedByServer(err)) throw err;
          return api.createMany(items);
        })),
      );
    } catch (err) {
      const undone = await Promise.allSettled(created.map((e) => api.remove(e.id)));
      throw new ImportFailure(
        err,
        chunk,
        undone.filter((u) => u.status === "rejected").length,
        !refusedByServer(err),
      );
    }
  }
  return created;
}
