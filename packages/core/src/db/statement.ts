import type { Query, SQL } from "drizzle-orm";
import type { DbOrTx } from "./client";

/** What a statement needs of a Drizzle database or transaction, besides its public API. */
interface DrizzleParts {
  dialect: { sqlToQuery(sql: SQL): Query };
  session: {
    prepareQuery(
      query: Query,
      fields: undefined,
      name: undefined,
      isResponseInArrayMode: boolean,
    ): { execute(values?: Record<string, unknown>): Promise<unknown> };
  };
}

/**
 * A fixed SQL statement whose values are `sql.placeholder(name)`s, turned into its text
 * once per database handle instead of on every call. `db.execute(sql\`...\`)` walks the
 * template and builds the query text each time, which on a primary-key read cost about as
 * much CPU as the rest of Drizzle's work. What the call returns is what `db.execute` of the
 * same SQL returns (rows for postgres.js, `{ rows }` for PGlite: read it with `rowsOf`).
 * A transaction is a handle of its own, so inside one the text is built once per
 * transaction.
 */
export function statement<V extends Record<string, unknown>>(
  text: SQL,
): (db: DbOrTx, values: V) => Promise<unknown> {
  const prepared = new WeakMap<object, ReturnType<DrizzleParts["session"]["prepareQuery"]>>();
  return (db, values) => {
    let query = prepared.get(db);
    if (!query) {
      const parts = db as unknown as DrizzleParts;
      query = parts.session.prepareQuery(
        parts.dialect.sqlToQuery(text),
        undefined,
        undefined,
        false,
      );
      prepared.set(db, query);
    }
    return query.execute(values);
  };
}
