// A time limit on a promise that cannot be cancelled itself (an API call to a
// server that may never answer): the caller stops waiting, with a message.

/** Resolves as `promise` does, or rejects with "<what>: no answer within Ns" after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
