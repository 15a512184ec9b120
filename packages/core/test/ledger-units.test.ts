import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../src/errors";
import { slugOf } from "../src/schemas/categories";
import { decodeCursor, encodeCursor, likeContains } from "../src/services/expenses";

describe("slugOf", () => {
  it("folds to ASCII upper case and joins runs of other characters with one _", () => {
    expect(slugOf("Coffee & Tea")).toBe("COFFEE_TEA");
    expect(slugOf("  café au lait  ")).toBe("CAFE_AU_LAIT");
    expect(slugOf("Ünïcödé")).toBe("UNICODE");
    expect(slugOf("straße")).toBe("STRASSE");
    expect(slugOf("__a__b__")).toBe("A_B");
    expect(slugOf("Rent 2026/27")).toBe("RENT_2026_27");
    expect(slugOf("&&")).toBe("");
    expect(slugOf("日本")).toBe("");
  });

  it("always gives upper-case letters, digits and single inner underscores", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (name) => {
        const slug = slugOf(name);
        expect(slug).toMatch(/^([A-Z0-9]+(_[A-Z0-9]+)*)?$/);
        expect(slugOf(slug)).toBe(slug);
      }),
    );
  });
});

describe("expense cursors", () => {
  const cursor = {
    spentOn: "2026-11-26",
    createdAt: "2026-11-26T08:37:55.846123Z",
    id: "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c",
  };

  it("round-trip and are URL-safe", () => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it("anything else is refused on the cursor field", () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const bad of [
      "",
      "!!!",
      "abc=",
      enc({ a: 1 }),
      enc([cursor.spentOn, cursor.createdAt]),
      enc([cursor.spentOn, "2026-11-26T08:37:55Z", cursor.id]),
      enc(["2026-13-45", cursor.createdAt, cursor.id]),
      enc(["2026-02-30", cursor.createdAt, cursor.id]),
      enc([cursor.spentOn, "2026-02-30T08:37:55.846123Z", cursor.id]),
      enc([cursor.spentOn, "2026-11-26T24:00:00.000000Z", cursor.id]),
      enc([cursor.spentOn, cursor.createdAt, "not-a-uuid"]),
      enc([cursor.spentOn, cursor.createdAt, cursor.id, 4]),
      enc([1, 2, 3]),
    ]) {
      try {
        decodeCursor(bad);
        expect.unreachable(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).details.issues?.[0]?.path).toBe("cursor");
      }
    }
  });
});

describe("likeContains", () => {
  it("escapes LIKE wildcards and the escape character", () => {
    expect(likeContains("50%")).toBe("%50\\%%");
    expect(likeContains("a_b")).toBe("%a\\_b%");
    expect(likeContains("C:\\x")).toBe("%C:\\\\x%");
    expect(likeContains("plain")).toBe("%plain%");
  });
});
