// Judges cases ahead of the one being read, on several IUT instances at once,
// so that real-time waits inside cases (frag6 timers, RCU grace periods,
// conntrack timeouts) overlap instead of adding up. Verdicts are read in case
// order, one at a time, exactly as a single instance would give them: which
// instance judged a case never shows (every case starts with `reset`).
// Instances are borrowed from the run's IutInstances a case at a time, so
// pools of properties judged at once share them.
import type { Iut } from "../iut/iut.js";
import type { InstanceLender } from "../iut/iut-instances.js";
import { type CaseRun, type Settled, settleCase } from "./case-run.js";

/** Cases judged ahead per instance: enough to keep every instance busy behind a slow case. */
const LOOKAHEAD_PER_INSTANCE = 4;

export interface CasePoolSettings {
  /** The instances, lent a case at a time; one that joins while the pool is open is used too. */
  instances: InstanceLender;
  /** Case `index` (read ahead), or undefined when there is none. */
  draw: (index: number) => Promise<{ input: unknown } | undefined>;
  judge: (iut: Iut, input: unknown) => Promise<CaseRun>;
  /** True once no further case may start (the property stopped, Ctrl-C). */
  stopped: () => boolean;
  /**
   * How many cases, from the one being read on, can still be read at most (a
   * round's judged runs left): none is judged ahead past them, since a case
   * judged and never read is CPU and kernel time spent for nothing.
   */
  needed?: () => number;
}

export class CasePool {
  private readonly ahead = new Map<number, Promise<Settled | undefined>>();
  private next = 0;
  private reading = 0;
  private closed = false;

  constructor(private readonly settings: CasePoolSettings) {}

  /** Cases judged ahead of the one being read, at most. */
  private get window(): number {
    const byInstances = this.settings.instances.ready.length * LOOKAHEAD_PER_INSTANCE;
    return Math.min(byInstances, this.settings.needed?.() ?? byInstances);
  }

  /**
   * Case `index`'s verdict: the one judged ahead, or judged now (`input`) when
   * it was not (no case drawn, or the pool closed meanwhile). Read cases in order.
   */
  async take(index: number, input: unknown): Promise<Settled> {
    this.reading = index;
    this.fill();
    const ahead = this.ahead.get(index);
    this.ahead.delete(index);
    const settled = ahead ? await ahead : undefined;
    return settled ?? this.judgeNow(input);
  }

  /** Judges `input` on the next free instance. */
  async judgeNow(input: unknown): Promise<Settled> {
    const iut = (await this.settings.instances.acquire())!;
    try {
      return await settleCase(this.settings.judge(iut, input));
    } finally {
      this.give(iut);
    }
  }

  /** No case starts ahead any more; resolves once every case judged ahead has ended, its instance given back. */
  async close(): Promise<void> {
    this.closed = true;
    this.settings.instances.drop();
    await Promise.all(this.ahead.values());
    this.ahead.clear();
  }

  private open(): boolean {
    return !this.closed && !this.settings.stopped();
  }

  /** Starts cases ahead, each waiting for an instance, while the window allows. */
  private fill(): void {
    while (this.open() && this.next < this.reading + this.window) {
      const index = this.next++;
      if (index < this.reading) continue; // read already, judged at once
      this.ahead.set(index, this.judgeAhead(index));
    }
  }

  private async judgeAhead(index: number): Promise<Settled | undefined> {
    const iut = await this.settings.instances.acquire(() => this.open());
    if (!iut) return undefined;
    try {
      const drawn = await this.settings.draw(index);
      if (!drawn || !this.open()) return undefined;
      return await settleCase(this.settings.judge(iut, drawn.input));
    } finally {
      this.give(iut);
    }
  }

  private give(iut: Iut): void {
    this.settings.instances.release(iut);
    this.fill();
  }
}
