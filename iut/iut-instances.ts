// The instances of one IUT that a run judges cases on (--jobs): the first is
// ready before anything runs; the others join as they come up, so their start
// (a kernel adapter starts Node inside a namespace) overlaps the first cases instead
// of delaying them. Every instance is the same implementation, so which one
// judges a case never shows in a verdict.
import type { Iut } from "./iut.js";

export class IutInstances {
  readonly ready: Iut[];
  private readonly joiners = new Set<(iut: Iut) => void>();

  constructor(
    first: Iut,
    /** How many instances the run asked for (--jobs); fewer may be ready yet, or ever. */
    readonly wanted = 1,
  ) {
    this.ready = [first];
  }

  /** A further instance, ready to judge cases. */
  add(iut: Iut): void {
    this.ready.push(iut);
    for (const join of this.joiners) join(iut);
  }

  /** Calls `join` with every instance that becomes ready from now on, until the returned function is called. */
  onJoin(join: (iut: Iut) => void): () => void {
    this.joiners.add(join);
    return () => this.joiners.delete(join);
  }
}
