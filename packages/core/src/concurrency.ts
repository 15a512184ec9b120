/**
 * Runs at most `max` of the given jobs at once; the others wait in arrival order. A
 * finished job hands its slot straight to the next waiter, so a newcomer never overtakes
 * a job that was already waiting.
 */
export function concurrencyLimit(max: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
