/** A usage or harness problem: the CLI prints the one-line reason and exits 2. */
export class UsageError extends Error {}

/** An error as one line, its stack only when NFCONFORM_DEBUG is set (for whoever debugs nfconform itself). */
export function errorLine(error: unknown): string {
  if (process.env.NFCONFORM_DEBUG && error instanceof Error && error.stack) return error.stack;
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}
