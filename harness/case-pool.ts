// Judges cases ahead of the one being read, on several IUT instances at once,
// so that real-time waits inside cases (frag6 timers, RCU grace periods,
// conntrack timeouts) overlap instead of adding up. Verdicts are read in case
// order, one at a time, exactly as a single instance would give them: which
// instance judged a case never shows (every case starts with `reset`).
import type { Iut } from "../iut/iut.js";
import type { IutInstances } from "../iut/iut-instances.js";
import { type CaseRun, type Settled, settleCase } from "./case-run.js";

/** Cases judged ahead per instance: enough to keep every instance busy behind a slow case. */
const LOOKAHEAD_PER_INSTANCE = 4;

export interface CasePoolSettings {
  /** The instances; one that becomes ready while the pool is open starts judging at once. */
  instances: IutInstances;
  /** Case `index` (read ahead), or undefined when there is none. */
  draw: (index: number) => Promise<{ input: unknown } | undefined>;
  judge: (iut: Iut, input: unknown) => Promise<CaseRun>;
  /** True once no further case may start (the property stopped, Ctrl-C). */
  stopped: () => boolean;
}

export class CasePool {
  private readonly free: Iut[];
  private readonly waiting: ((iut: Iut) => void)[] = [];
  private readonly ahead = new Map<number, Promise<Settled | undefined>>();
  private next = 0;
  private reading = 0;
  private closed = false;
  private readonly leave: () => void;

  constructor(private readonly settings: CasePoolSettings) {
    this.free = [...settings.instances.ready].reverse();
    this.leave = settings.instances.onJoin((iut) => this.release(iut));
  }

  /** Cases judged ahead of the one being read, at most. */
  private get window(): number {
    return this.settings.instances.ready.length * LOOKAHEAD_PER_INSTANCE;
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
    const iut = await this.acquire();
    try {
      return await settleCase(this.settings.judge(iut, input));
    } finally {
      this.release(iut);
    }
  }

  /** No case starts ahead any more; resolves once every case judged ahead has ended, its instance free. */
  async close(): Promise<void> {
    this.closed = true;
    this.leave();
    await Promise.all(this.ahead.values());
    this.ahead.clear();
  }

  /** Starts cases ahead while an instance is free and the window allows. */
  private fill(): void {
    while (!this.closed && !this.settings.stopped() && this.free.length > 0 && this.next < this.reading + this.window) {
      const index = this.next++;
      if (index < this.reading) continue; // read already, judged at once
      this.ahead.set(index, this.judgeAhead(index, this.free.pop()!));
    }
  }

  private async judgeAhead(index: number, iut: Iut): Promise<Settled | undefined> {
    try {
      const drawn = await this.settings.draw(index);
      if (!drawn || this.closed || this.settings.stopped()) return undefined;
      return await settleCase(this.settings.judge(iut, drawn.input));
    } finally {
      this.release(iut);
    }
  }

  private acquire(): Promise<Iut> {
    const iut = this.free.pop();
    return iut ? Promise.resolve(iut) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(iut: Iut): void {
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter(iut);
      return;
    }
    this.free.push(iut);
    this.fill();
  }
}
