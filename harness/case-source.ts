// The cases fc.check draws for a seed, handed out ahead of it, so that a pool
// of IUT instances can judge them while fc.check still works through earlier
// ones. fast-check itself draws them (a check whose predicate hands each case
// out and passes), so case i here is case i of fc.check's run with that seed
// and arbitrary, whatever the verdicts: fast-check draws every case from the
// seed and its index alone, never from earlier outcomes.
import fc from "fast-check";

export class CaseSource {
  /** Drawn and not yet handed out, by index. */
  private readonly drawn = new Map<number, unknown>();
  private count = 0;
  /** Indexes below this are wanted: the producer draws up to it and then waits. */
  private wanted = 1;
  private done = false;
  private closed = false;
  private wakeProducer: (() => void) | undefined;
  private readonly readers = new Set<() => void>();
  private readonly finished: Promise<void>;

  /** `draws`: the most cases the consumer's fc.check can draw (runs and skips). */
  constructor(arbitrary: fc.Arbitrary<unknown>, seed: number, draws: number) {
    const hand = async (input: unknown): Promise<boolean> => {
      this.drawn.set(this.count++, input);
      this.wakeReaders();
      while (!this.closed && this.count >= this.wanted) await new Promise<void>((wake) => (this.wakeProducer = wake));
      // Closed: fast-check's own interrupt ends the draw at once.
      if (this.closed) throw new fc.PreconditionFailure(true);
      return true;
    };
    // A generator that throws ends the draws here; the consumer's fc.check meets the same throw and reports it.
    this.finished = fc
      .check(fc.asyncProperty(arbitrary, hand), { seed, numRuns: draws })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.done = true;
        this.wakeReaders();
      });
  }

  /** Case `index` (each index is handed out once), or undefined past the last draw. */
  async take(index: number): Promise<{ input: unknown } | undefined> {
    if (index + 1 > this.wanted) {
      this.wanted = index + 1;
      this.wakeProducer?.();
    }
    while (index >= this.count && !this.done) await new Promise<void>((wake) => this.readers.add(wake));
    if (!this.drawn.has(index)) return undefined;
    const input = this.drawn.get(index);
    this.drawn.delete(index);
    return { input };
  }

  /** Stops drawing; resolves once fast-check has returned. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeProducer?.();
    await this.finished;
  }

  private wakeReaders(): void {
    for (const wake of this.readers) wake();
    this.readers.clear();
  }
}
