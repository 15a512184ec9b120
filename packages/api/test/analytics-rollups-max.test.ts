import { analyticsService } from "@ledgerflow/core";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";

describe("rollup maxima", () => {
  const env = useTestEnv();

  it("recomputes the largest expense when it is deleted, moved or lowered", async () => {
    const me = await env.signUp();
    const make = (amount: string, spentOn = "2026-03-10") =>
      me.caller.expenses.create({ amount, category: "FOOD", spentOn });
    const small = await make("5.00");
    const big = await make("9.00");
    const mid = await make("7.00");
    expect((await me.caller.analytics.summary()).largest?.id).toBe(big.id);

    await me.caller.expenses.delete({ id: big.id });
    expect((await me.caller.analytics.summary()).largest?.id).toBe(mid.id);
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });

    await me.caller.expenses.update({ id: mid.id, amount: "1.00" });
    expect((await me.caller.analytics.summary()).largest?.id).toBe(small.id);

    await me.caller.expenses.update({ id: small.id, spentOn: "2026-04-01" });
    const march = await me.caller.analytics.summary({ from: "2026-03-01", to: "2026-03-31" });
    expect(march.largest?.id).toBe(mid.id);
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
  });
});
