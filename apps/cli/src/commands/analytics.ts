import type { RouterInputs } from "@ledgerflow/client";
import type { Command } from "commander";
import { z } from "zod";
import { barChart } from "../chart";
import { parseDate } from "../dates";
import { plural } from "../format";
import { action, example } from "../program";
import type { Io } from "../session";

const code = z.string().transform((c) => c.trim().toUpperCase());
const date = (option: string) => z.string().transform((d) => parseDate(d, option));

const summaryOptions = z.object({
  from: date("--from").optional(),
  to: date("--to").optional(),
  currency: code.optional(),
});

const trendOptions = summaryOptions.extend({
  granularity: z
    .enum(["day", "week", "month"], { message: "must be day, week or month" })
    .optional(),
  category: code.optional(),
});

type TrendInput = Extract<RouterInputs["analytics"]["trend"], object>;

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export function registerAnalyticsCommands(program: Command, io: Io): void {
  program
    .command("summary")
    .description("totals, average, largest and spread, by base category, for one currency")
    .option("--from <date>", "from this date, inclusive (default: all time)")
    .option("--to <date>", "to this date, inclusive")
    .option("--currency <code>", "which currency (default: your default currency)")
    .addHelpText(
      "after",
      example(
        "ledgerflow summary",
        "ledgerflow summary --from 2026-11-01 --to today --currency EUR",
      ),
    )
    .action(
      action(io, summaryOptions, async (s, o) => {
        const client = await s.requireSignedIn();
        const sum = await client.api.analytics.summary.query({
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
        });
        s.out.result(sum, () => {
          const period =
            sum.from || sum.to ? `${sum.from ?? "the start"} to ${sum.to ?? "today"}` : "all time";
          const cur = sum.currency;
          s.out.line(s.out.style("bold", `Spending in ${cur}, ${period}`));
          const rows: [string, string][] = [
            ["Expenses", String(sum.count)],
            ["Total", `${sum.total} ${cur}`],
          ];
          if (sum.count > 0) {
            rows.push(["Average", `${sum.average ?? "-"} ${cur}`]);
            if (sum.largest) {
              const l = sum.largest;
              rows.push([
                "Largest",
                `${l.amount} ${cur} on ${l.spentOn} (${l.category?.code ?? l.baseCode})`,
              ]);
            }
            rows.push(["Std deviation", `${sum.stdDev ?? "-"} ${cur}`]);
            if (sum.sampleStdDev !== null)
              rows.push(["Sample std dev", `${sum.sampleStdDev} ${cur}`]);
          }
          for (const [k, v] of rows) s.out.line(`${k.padEnd(15)} ${v}`);
          if (sum.byCategory.length > 0) {
            s.out.line();
            s.out.table(sum.byCategory, [
              { header: "CATEGORY", value: (c) => c.code },
              { header: "NAME", value: (c) => c.name },
              { header: "TOTAL", value: (c) => c.total, align: "right" },
              { header: "COUNT", value: (c) => String(c.count), align: "right" },
              { header: "AVERAGE", value: (c) => c.average, align: "right" },
              { header: "SHARE", value: (c) => pct(c.share), align: "right" },
            ]);
          }
        });
      }),
    );

  program
    .command("trend")
    .description("spending per day, week or month as a bar chart (default: the last 12 months)")
    .option("--from <date>", "from this date (default: 11 months before --to's month)")
    .option("--to <date>", "to this date (default: today)")
    .option("--granularity <unit>", "day, week or month (default month)")
    .option("--category <code>", "only this category (a base code includes its subcategories)")
    .option("--currency <code>", "which currency (default: your default currency)")
    .addHelpText(
      "after",
      example(
        "ledgerflow trend",
        "ledgerflow trend --granularity week --from 2026-10-01 --category FOOD",
      ),
    )
    .action(
      action(io, trendOptions, async (s, o) => {
        const client = await s.requireSignedIn();
        const input: TrendInput = {
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          ...(o.granularity ? { granularity: o.granularity } : {}),
          ...(o.category ? { category: o.category } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
        };
        const trend = await client.api.analytics.trend.query(input);
        s.out.result(trend, () => {
          const first = trend.points[0];
          const last = trend.points.at(-1);
          const count = trend.points.reduce((n, p) => n + p.count, 0);
          s.out.line(
            s.out.style(
              "bold",
              `Spending per ${trend.granularity} in ${trend.currency}${o.category ? `, ${o.category}` : ""}${
                first && last ? `, ${first.start} to ${last.end}` : ""
              }`,
            ),
          );
          const columns = (io.stdout as { columns?: number }).columns ?? 80;
          const width = Math.max(10, Math.min(50, columns - 40));
          const lines = barChart(
            trend.points.map((p) => ({ label: p.period, amount: p.total, count: p.count })),
            width,
          );
          for (const line of lines) s.out.line(line);
          s.out.line(
            s.out.style(
              "dim",
              `${plural(count, "expense")}; (n) is the count per ${trend.granularity}.`,
            ),
          );
        });
      }),
    );
}
