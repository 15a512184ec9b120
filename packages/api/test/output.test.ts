import {
  categoriesListOutput,
  createManyExpensesOutput,
  deleteCategoryOutput,
  deleteExpenseOutput,
  expenseOutput,
  expensePageOutput,
  summaryOutput,
  tokensOutput,
  trendOutput,
  userCategoryOutput,
  userOutput,
} from "@ledgerflow/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileCheck, outputOf } from "../src/output";

/** Every schema a procedure answers with, and a few shapes the routers do not use (yet). */
const PRODUCT_SCHEMAS = {
  expenseOutput,
  expensePageOutput,
  createManyExpensesOutput,
  deleteExpenseOutput,
  summaryOutput,
  trendOutput,
  userOutput,
  session: z.object({ user: userOutput, tokens: tokensOutput }),
  tokens: z.object({ tokens: tokensOutput }),
  ok: z.object({ ok: z.literal(true) }),
  categoriesListOutput,
  userCategoryOutput,
  deleteCategoryOutput,
};
const OTHER_SCHEMAS = {
  strict: z.strictObject({ a: z.string(), b: z.array(z.number()) }),
  loose: z.looseObject({ a: z.string() }),
  optional: z.object({ a: z.string().optional(), b: z.boolean() }),
  minString: z.object({ a: z.string().min(2) }),
  maxNumber: z.object({ n: z.number().max(3) }),
  maxArray: z.object({ xs: z.array(z.string()).max(2) }),
  enumAndLiteral: z.object({ e: z.enum(["A", "B"]), l: z.literal(["x", false]) }),
};

class Point {
  constructor(
    public x = 1,
    public y = 2,
  ) {}
}

class List<T> extends Array<T> {}

/** Values that break one rule or another wherever they land. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, Number.NaN, 1.5, 2 ** 53, "", "x", true, 0n, [], {}),
  fc.constant(0).map(() => new Date(0)),
  fc.constant(0).map(() => new Point()),
  fc.constant(0).map(() => Object.create(null)),
  fc.anything({ maxDepth: 2 }),
);

/** Values of the schema's shape, leaves near the edges of their type. */
function validOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = schema._zod.def as unknown as {
    type: string;
    innerType?: z.ZodType;
    element?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    values?: unknown[];
    entries?: Record<string, unknown>;
  };
  switch (def.type) {
    case "string":
      return fc.string({ maxLength: 3 });
    case "boolean":
      return fc.boolean();
    case "number":
      return fc.oneof(
        fc.integer({ min: -5, max: 5 }),
        fc.double(),
        fc.constantFrom(
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          2 ** 53,
          2 ** 53 - 1,
          -0,
          0.5,
        ),
      );
    case "literal":
      return fc.constantFrom(...(def.values ?? []));
    case "enum":
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case "optional":
    case "nullable":
      return fc.oneof(
        fc.constant(def.type === "nullable" ? null : undefined),
        validOf(def.innerType as z.ZodType, depth),
      );
    case "array":
      return fc.array(validOf(def.element as z.ZodType, depth + 1), {
        maxLength: depth > 1 ? 1 : 3,
      });
    case "object":
      return fc.record(
        Object.fromEntries(
          Object.entries(def.shape ?? {}).map(([k, v]) => [k, validOf(v, depth + 1)]),
        ),
        // Ordinary objects; the mutations make the other kinds.
        { noNullPrototype: true },
      );
    default:
      return junk;
  }
}

/** One change somewhere in a value: a key added or dropped, a field or item made junk, a plain object made another kind. */
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom(
    "extra",
    "proto-key",
    "drop",
    "junk",
    "null-prototype",
    "class",
    "array-key",
  ),
  junk,
});

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function nodesOf(value: unknown): object[] {
  const nodes: object[] = [];
  const collect = (v: unknown) => {
    if (typeof v !== "object" || v === null) return;
    nodes.push(v);
    for (const x of Object.values(v)) collect(x);
  };
  collect(value);
  return nodes;
}

function mutate(value: unknown, m: Mutation) {
  const nodes = nodesOf(value);
  const node = nodes[m.at % Math.max(1, nodes.length)];
  if (!node) return m.junk;
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record);
  const key = keys[m.at % Math.max(1, keys.length)];
  switch (m.kind) {
    case "extra":
      record.extra = m.junk;
      break;
    case "proto-key":
      Object.defineProperty(record, "__proto__", { value: m.junk, enumerable: true });
      break;
    case "drop":
      if (key !== undefined) delete record[key];
      break;
    case "junk":
      if (key !== undefined) record[key] = m.junk;
      else return m.junk;
      break;
    case "null-prototype":
      if (!Array.isArray(node)) Object.setPrototypeOf(node, null);
      break;
    case "class":
      Object.setPrototypeOf(node, Array.isArray(node) ? List.prototype : Point.prototype);
      break;
    case "array-key":
      if (Array.isArray(node)) Object.assign(node, { extra: m.junk });
      break;
  }
  return value;
}

/** Whether the mutation gives an array a named property. */
function namesAnArray(value: unknown, m: Mutation): boolean {
  const node = nodesOf(value)[m.at % Math.max(1, nodesOf(value).length)];
  return Array.isArray(node) && ["extra", "proto-key", "array-key"].includes(m.kind);
}

/**
 * Mostly exact values, half of them with one thing wrong. `wire` marks a value whose
 * difference from zod's copy only a JSON encoder cannot see (a named property on an
 * array, which the check does not look for): there the two answers must encode alike.
 */
function caseOf(schema: z.ZodType): fc.Arbitrary<Case> {
  return fc.tuple(validOf(schema), fc.option(mutation, { freq: 2 })).map(([value, m]) => ({
    // A copy: fast-check may hand the same generated value to several runs.
    value: m ? mutate(structuredClone(value), m) : value,
    wire: m !== null && namesAnArray(value, m),
    mutated: m !== null,
  }));
}

interface Case {
  value: unknown;
  wire: boolean;
  mutated: boolean;
}

function expectSameAsZod(schema: z.ZodType, { value, wire, mutated }: Case) {
  const parse = outputOf(schema);
  const expected = schema.safeParse(value);
  if (!expected.success) {
    expect(() => parse(value)).toThrow(z.ZodError);
    return;
  }
  if (wire) expect(JSON.stringify(parse(value))).toBe(JSON.stringify(expected.data));
  else expect(parse(value)).toStrictEqual(expected.data);
  // An exact value that zod takes is answered as it is, wherever the check applies.
  if (!mutated && compileCheck(schema)) expect(parse(value)).toBe(value);
}

describe("outputOf", () => {
  it("understands every schema a procedure answers with", () => {
    for (const [name, schema] of Object.entries(PRODUCT_SCHEMAS)) {
      expect(compileCheck(schema), name).not.toBeNull();
    }
  });

  it("answers what zod answers, or throws when zod throws", () => {
    for (const schema of [...Object.values(PRODUCT_SCHEMAS), ...Object.values(OTHER_SCHEMAS)]) {
      fc.assert(
        fc.property(caseOf(schema), (value) => expectSameAsZod(schema, value)),
        { numRuns: 400 },
      );
    }
  });

  it("gives an exact value back as it is, without a copy", () => {
    const expense = {
      id: "0190d1a0-0000-7000-8000-000000000001",
      amount: "12.50",
      currency: "EUR",
      spentOn: "2026-11-26",
      baseCode: "FOOD",
      category: { code: "FOOD.COFFEE", name: "Coffee" },
      note: null,
      version: 1,
      createdAt: "2026-11-26T12:00:00.000Z",
      updatedAt: "2026-11-26T12:00:00.000Z",
    };
    const answer = { items: [expense, { ...expense, category: null, note: "x" }] };
    expect(outputOf(createManyExpensesOutput)(answer)).toBe(answer);
  });

  it("does not take a missing field from a polluted prototype", () => {
    const answer = {
      id: "u1",
      email: "a@b.c",
      defaultCurrency: "EUR",
      createdAt: "2026-11-26T12:00:00.000Z",
      secret: "s",
    };
    Object.defineProperty(Object.prototype, "name", { value: null, configurable: true });
    try {
      expect(outputOf(userOutput)(answer)).not.toHaveProperty("secret");
    } finally {
      delete (Object.prototype as Record<string, unknown>).name;
    }
  });

  it("strips what is not declared, as zod does", () => {
    const user = {
      id: "u1",
      email: "a@b.c",
      name: null,
      defaultCurrency: "EUR",
      createdAt: "2026-11-26T12:00:00.000Z",
      passwordHash: "$argon2id$...",
    };
    const out = outputOf(userOutput)(user);
    expect(out).not.toHaveProperty("passwordHash");
    expect(out).toStrictEqual(userOutput.parse(user));
    expect(() => outputOf(userOutput)({ ...user, id: 7 })).toThrow(z.ZodError);
  });
});
