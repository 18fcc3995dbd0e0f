/** Polls until `probe` returns a value (not undefined/false), or fails saying what it waited for. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
    last?: () => Promise<unknown> | unknown;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const last = opts.last ? ` (last seen: ${JSON.stringify(await opts.last())})` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}${last}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
