// The instances of one IUT that a run judges cases on (--jobs): the first is
// ready before anything runs; the others join as they come up, so their start
// (a kernel adapter starts Node inside a namespace) overlaps the first cases instead
// of delaying them. Every instance is the same implementation, so which one
// judges a case never shows in a verdict.
//
// The instances are lent out one case at a time (acquire/release): the
// properties a run judges at once share them, first asked first served, so an
// instance one property leaves idle judges another's case.
//
// A lane lends at most `limit` of them to one area's cases, always the same
// ones: an instance sets an area up on its first case there (the kernel
// adapter: namespaces, networks, sockets), which pays only where the area's
// cases wait rather than compute. Lanes take the instances fewest lanes use
// yet, so areas judged at once spread over different instances.
import type { Iut } from "./iut.js";

/** What a property's cases borrow instances from: the whole set, or one area's lane of it. */
export interface InstanceLender {
  /** Instances asked for (--jobs), at most the lane's limit. */
  readonly wanted: number;
  /** Instances that can judge this lender's cases now. */
  readonly ready: readonly Iut[];
  /**
   * A free instance, lent until release(): at once when one is free, else the
   * next one released to an asker before it. Undefined when `wanted` turned
   * false while waiting (see drop()).
   */
  acquire(wanted?: () => boolean): Promise<Iut | undefined>;
  /** Gives a lent instance back: to the first asker still waiting that may take it, or to the free ones. */
  release(iut: Iut): void;
  /** Answers undefined to every asker that no longer wants an instance. */
  drop(): void;
}

interface Lane {
  limit: number;
  members: Set<Iut>;
}

interface Waiter {
  give: (iut: Iut | undefined) => void;
  /** False once the asker gave up (its pool closed): it is answered undefined, and the instance goes on. */
  wanted: () => boolean;
  lane: Lane | undefined;
}

export class IutInstances implements InstanceLender {
  readonly ready: Iut[];
  private readonly free: Iut[];
  private readonly waiting: Waiter[] = [];
  private readonly lanes = new Map<string, Lane>();
  /** How many lanes each instance belongs to. */
  private readonly laneCount = new Map<Iut, number>();

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

  /** Lends at most `limit` instances, always the same ones, to the cases of `name` (an area). */
  lane(name: string, limit: number): InstanceLender {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { limit: Math.max(1, limit), members: new Set() };
      this.lanes.set(name, lane);
    }
    const theLane = lane;
    const instances = this;
    return {
      wanted: Math.min(this.wanted, theLane.limit),
      get ready() {
        return theLane.members.size >= theLane.limit ? [...theLane.members] : instances.ready.slice(0, theLane.limit);
      },
      acquire: (wanted) => this.acquireFor(theLane, wanted),
      release: (iut) => this.release(iut),
      drop: () => this.drop(),
    };
  }

  acquire(wanted: () => boolean = () => true): Promise<Iut | undefined> {
    return this.acquireFor(undefined, wanted);
  }

  release(iut: Iut): void {
    this.drop();
    const at = this.waiting.findIndex((w) => this.mayTake(w.lane, iut));
    if (at < 0) {
      this.free.push(iut);
      return;
    }
    const [waiter] = this.waiting.splice(at, 1);
    this.join(waiter!.lane, iut);
    waiter!.give(iut);
  }

  drop(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const waiter = this.waiting[i]!;
      if (waiter.wanted()) continue;
      this.waiting.splice(i, 1);
      waiter.give(undefined);
    }
  }

  private acquireFor(lane: Lane | undefined, wanted: () => boolean = () => true): Promise<Iut | undefined> {
    if (!wanted()) return Promise.resolve(undefined);
    const iut = this.freeFor(lane);
    if (iut) {
      this.free.splice(this.free.indexOf(iut), 1);
      this.join(lane, iut);
      return Promise.resolve(iut);
    }
    return new Promise((give) => this.waiting.push({ give, wanted, lane }));
  }

  /** The free instance a lane should take: one of its own, else (room left) the one fewest lanes use, latest freed first. */
  private freeFor(lane: Lane | undefined): Iut | undefined {
    if (!lane) return this.free.at(-1);
    for (let i = this.free.length - 1; i >= 0; i--) if (lane.members.has(this.free[i]!)) return this.free[i];
    if (lane.members.size >= lane.limit) return undefined;
    let best: Iut | undefined;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const iut = this.free[i]!;
      if (best === undefined || (this.laneCount.get(iut) ?? 0) < (this.laneCount.get(best) ?? 0)) best = iut;
    }
    return best;
  }

  private mayTake(lane: Lane | undefined, iut: Iut): boolean {
    return !lane || lane.members.has(iut) || lane.members.size < lane.limit;
  }

  private join(lane: Lane | undefined, iut: Iut): void {
    if (!lane || lane.members.has(iut)) return;
    lane.members.add(iut);
    this.laneCount.set(iut, (this.laneCount.get(iut) ?? 0) + 1);
  }
}
