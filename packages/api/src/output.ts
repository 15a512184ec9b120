import type { z } from "zod";

/**
 * Output checks that do not copy.
 *
 * A zod object schema answers a copy of what it checked, without unknown keys: that is
 * what keeps private fields (owner ids, key fingerprints) out of answers. Building that
 * copy is most of the cost: for a 500-item `expenses.createMany` it was about a third of
 * the server's CPU per call, with the garbage it leaves. Yet a service answer normally
 * has exactly the declared fields already, and then the copy equals the original.
 *
 * `outputOf(schema)` checks first, without allocating, whether the value is already
 * exactly what the schema would give back (plain objects with exactly the declared keys,
 * every leaf of the declared type); if so it answers the value itself. Anything else
 * (an extra key, a wrong type, a class instance) goes through `schema.parse`, which
 * strips or refuses exactly as before. So the answer always equals `schema.parse(value)`
 * (a property test holds the two together), and a schema using anything the check does
 * not understand simply always takes the zod path.
 */

type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; format?: string } } }[];
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

const isString: Check = (v) => typeof v === "string";
const isBoolean: Check = (v) => typeof v === "boolean";
const isFiniteNumber: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isSafeInteger: Check = (v) => Number.isSafeInteger(v);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  // Not even null-prototype objects: zod's copy of one would be an ordinary object.
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** The allocation-free check for `schema`, or null when it uses anything not handled here. */
export function compileCheck(schema: z.ZodType): Check | null {
  const def = defOf(schema);
  const checks = def.checks ?? [];
  switch (def.type) {
    case "string":
      return checks.length === 0 ? isString : null;
    case "boolean":
      return checks.length === 0 ? isBoolean : null;
    case "number": {
      if (checks.length === 0) return isFiniteNumber;
      const only = checks.length === 1 ? checks[0]?._zod.def : undefined;
      return only?.check === "number_format" && only.format === "safeint" ? isSafeInteger : null;
    }
    case "literal": {
      const values: unknown[] = def.values ?? [];
      if (values.some((x) => typeof x !== "string" && typeof x !== "boolean")) return null;
      return (v) => values.includes(v);
    }
    case "enum": {
      const values: unknown[] = Object.values(def.entries ?? {});
      if (values.some((x) => typeof x !== "string")) return null;
      return (v) => values.includes(v);
    }
    case "nullable": {
      const inner = def.innerType ? compileCheck(def.innerType) : null;
      return inner ? (v) => v === null || inner(v) : null;
    }
    case "array": {
      const element = def.element ? compileCheck(def.element) : null;
      if (!element || checks.length > 0) return null;
      return (v) => {
        if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case "object": {
      // Whether zod would strip, refuse or keep unknown keys (the default, strict and loose
      // objects), an object without any is answered alike.
      const keys: string[] = [];
      const fieldChecks: Check[] = [];
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const check = compileCheck(field);
        if (!check) return null;
        keys.push(key);
        fieldChecks.push(check);
      }
      const count = keys.length;
      return (v) => {
        if (!isPlainObject(v)) return false;
        let n = 0;
        for (const _ in v) n++;
        if (n !== count) return false;
        for (let i = 0; i < count; i++) {
          const key = keys[i] as string;
          // Own keys only: a key missing here must not be read from a polluted prototype.
          if (!Object.hasOwn(v, key) || !(fieldChecks[i] as Check)(v[key])) return false;
        }
        return true;
      };
    }
    default:
      // optional, default, transforms, unions...: the zod path is always right.
      return null;
  }
}

/**
 * The parser for a procedure's `.output()`: the value itself when it is already exactly
 * of the schema's shape, otherwise `schema.parse(value)` (which strips or throws).
 */
export function outputOf<S extends z.ZodType>(schema: S): (value: unknown) => z.output<S> {
  const check = compileCheck(schema);
  if (!check) return (value) => schema.parse(value);
  return (value) => (check(value) ? (value as z.output<S>) : schema.parse(value));
}
