// Idle case namespaces of one path, lent again instead of made anew: a
// namespace's creation and set-up, and its teardown in the kernel, are about
// half of a case's CPU once many cases run at once (bench/issue14-bench.md).
// A case gets a used namespace only once namespace-reset.ts has proved it
// holds nothing the case could observe, with its destinations swapped in for
// the previous case's; a namespace that fails that is closed, never lent.
import { formatIPv6 } from "../../../sys/inet-addr.js";
import { CaseNamespace, type Frag6Path } from "./case-network.js";
import { MARKER_DST } from "./marker.js";
import { unobservableLeftovers } from "./namespace-reset.js";

/** Idle namespaces kept per path: more are closed (their fds and kernel memory). */
const MAX_IDLE = 64;
/** Cases a namespace serves before it is closed: its conntrack entries stay far below nf_conntrack_max. */
const MAX_USES = 64;

export interface Lease {
  readonly ns: CaseNamespace;
  /** The case's own local addresses (not the ones every namespace keeps). */
  readonly locals: readonly Uint8Array[];
  readonly uses: number;
  /** Whether a verified, reset namespace was lent (false: made anew). */
  readonly reused: boolean;
}

export interface PoolStats {
  made: number;
  reused: number;
  /** Why namespaces failed their reset, by reason. */
  refused: Map<string, number>;
}

export class CaseNamespacePool {
  private readonly idle: Lease[] = [];
  readonly stats: PoolStats = { made: 0, reused: 0, refused: new Map() };

  constructor(
    private readonly path: Frag6Path,
    /** false: every case gets a namespace made anew (as before the pool; tests compare the two). */
    private readonly reuse = true,
    /** Addresses local in every namespace (the marker's destination). */
    private readonly fixed: readonly Uint8Array[] = [MARKER_DST],
  ) {}

  /** A namespace with `locals` (and the fixed addresses) local on veth0, and nothing a case could observe left in it. */
  async acquire(locals: readonly Uint8Array[]): Promise<Lease> {
    for (let lease = this.idle.pop(); lease; lease = this.idle.pop()) {
      const why = await unobservableLeftovers(lease.ns, this.path).catch((e: Error) => e.message);
      if (why === null) {
        const wanted = new Set(locals.map(formatIPv6));
        const had = new Set(lease.locals.map(formatIPv6));
        try {
          await lease.ns.swapLocals(
            lease.locals.filter((a) => !wanted.has(formatIPv6(a))),
            locals.filter((a) => !had.has(formatIPv6(a))),
          );
          this.stats.reused++;
          return { ns: lease.ns, locals, uses: lease.uses + 1, reused: true };
        } catch (e) {
          this.refuse((e as Error).message);
        }
      } else this.refuse(why);
      lease.ns.close();
    }
    const ns = await CaseNamespace.create(this.path, [...locals, ...this.fixed]);
    this.stats.made++;
    return { ns, locals, uses: 1, reused: false };
  }

  /** Back to the pool after a case that ran to its end (else, or when the pool is full or the namespace worn, closed). */
  release(lease: Lease, ranToEnd: boolean): void {
    if (this.reuse && ranToEnd && lease.uses < MAX_USES && this.idle.length < MAX_IDLE) this.idle.push(lease);
    else lease.ns.close();
  }

  /** Closes every idle namespace. */
  drain(): void {
    for (let lease = this.idle.pop(); lease; lease = this.idle.pop()) lease.ns.close();
  }

  private refuse(why: string): void {
    // A count by kind, not by the varying numbers in it.
    const kind = why.replace(/\b\d+\b/g, "N");
    this.stats.refused.set(kind, (this.stats.refused.get(kind) ?? 0) + 1);
  }
}

const pools = new Map<Frag6Path, CaseNamespacePool>();

/** The process's pool for `path`, shared by all its frag6 areas. */
export function caseNamespacePool(path: Frag6Path): CaseNamespacePool {
  const pool = pools.get(path) ?? new CaseNamespacePool(path);
  pools.set(path, pool);
  return pool;
}
