// The instances of one IUT that a run judges cases on (--jobs): the first is
// ready before anything runs; the others join as they come up, so their start
// (a kernel adapter starts Node inside a namespace) overlaps the first cases instead
// of delaying them. Every instance is the same implementation, so which one
// judges a case never shows in a verdict.
//
// The instances are lent out one case at a time (acquire/release): the
// properties a run judges at once share them, first asked first served, so an
// instance one property leaves idle judges another's case.
import type { Iut } from "./iut.js";

interface Waiter {
  give: (iut: Iut | undefined) => void;
  /** False once the asker gave up (its pool closed): it is answered undefined, and the instance goes on. */
  wanted: () => boolean;
}

export class IutInstances {
  readonly ready: Iut[];
  private readonly free: Iut[];
  private readonly waiting: Waiter[] = [];

  constructor(
    first: Iut,
    /** How many instances the run asked for (--jobs); fewer may be ready yet, or ever. */
    readonly wanted = 1,
  ) {
    this.ready = [first];
    this.free = [first];
  }

  /** A further instance, ready to judge cases. */
  add(iut: Iut): void {
    this.ready.push(iut);
    this.release(iut);
  }

  /**
   * A free instance, lent until release(): at once when one is free, else the
   * next one released to an asker before it. Undefined when `wanted` turned
   * false while waiting (see drop()).
   */
  acquire(wanted: () => boolean = () => true): Promise<Iut | undefined> {
    if (!wanted()) return Promise.resolve(undefined);
    const iut = this.free.pop();
    if (iut) return Promise.resolve(iut);
    return new Promise((give) => this.waiting.push({ give, wanted }));
  }

  /** Gives a lent instance back: to the first asker still waiting, or to the free ones. */
  release(iut: Iut): void {
    this.drop();
    const waiter = this.waiting.shift();
    if (waiter) waiter.give(iut);
    else this.free.push(iut);
  }

  /** Answers undefined to every asker that no longer wants an instance. */
  drop(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const waiter = this.waiting[i]!;
      if (waiter.wanted()) continue;
      this.waiting.splice(i, 1);
      waiter.give(undefined);
    }
  }
}
