/** A usage or harness problem: the CLI prints the one-line reason and exits 2. */
export class UsageError extends Error {}
