/**
 * PostgreSQL array literals for sending a column of values as one text parameter (then
 * cast, e.g. `$1::uuid[]`, and zipped with `unnest`): one parameter per column whatever the
 * batch size, in a form that both drivers pass through unchanged.
 *
 * `quote`: free text is quoted and escaped; values already checked to be free of array
 * syntax (ids, integers, dates, ISO codes) go as they are. A column with no value at all
 * goes as `{}`: `unnest` pads shorter arrays with NULLs, so a batch does not send a NULL
 * per row for each empty column.
 */
export function pgArrayLiteral(values: readonly (string | null)[], quote: boolean): string {
  if (values.every((v) => v === null)) return "{}";
  // One join: concatenating element by element builds a tree of partial strings first.
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] =
      v === null || v === undefined ? "NULL" : quote ? `"${v.replace(/["\\]/g, "\\$&")}"` : v;
  }
  return `{${parts.join(",")}}`;
}
