import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";

describe("auth smoke", () => {
  const env = useTestEnv();
  it("registers and answers auth.me", async () => {
    const u = await env.signUp("Smoke@Example.com");
    const me = await u.caller.auth.me();
    expect(me.email).toBe("Smoke@Example.com");
    expect(me.defaultCurrency).toBe("USD");
  });
});
