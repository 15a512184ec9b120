import { DomainError } from "../errors";

/**
 * Counts failed logins per account in a sliding one-minute window. At `maxFailures`
 * the account is locked until the oldest failure leaves the window. In memory: the
 * server is one process, and a restart forgetting the count is harmless.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws RATE_LIMITED while the account is locked. */
  check(account: string): void {
    const recent = this.recent(account);
    if (recent.length >= this.maxFailures) {
      const oldest = recent[0] ?? this.now();
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((oldest + this.windowMs - this.now()) / 1000),
      );
      throw new DomainError(
        "RATE_LIMITED",
        `Too many failed logins for this account; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  }

  fail(account: string): void {
    const recent = this.recent(account);
    recent.push(this.now());
    this.failures.set(account, recent);
  }

  succeed(account: string): void {
    this.failures.delete(account);
  }

  private recent(account: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(account) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(account);
    // Bound memory under a flood of distinct emails: forget the oldest accounts.
    if (this.failures.size > 100_000) {
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
    return list;
  }
}
