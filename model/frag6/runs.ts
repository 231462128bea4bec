// inet_frag_queue_insert() (net/ipv4/inet_fragment.c), shared by both Linux
// reassemblers: fragments are kept as "runs" of contiguous arrivals, and the
// duplicate/overlap verdict is taken against runs, never against bytes.

export interface Run {
  start: number;
  end: number;
}

export interface RunSet {
  /** Disjoint runs (the rb-tree nodes; order does not matter for the verdict). */
  runs: Run[];
  /** The run fragments_tail belongs to (q->last_run_head), if any. */
  lastRun: Run | null;
  /** End of q->fragments_tail, the fragment last placed by the tail path. */
  tailEnd: number | null;
}

export type InsertVerdict = "ok" | "dup" | "overlap";

export function emptyRuns(): RunSet {
  return { runs: [], lastRun: null, tailEnd: null };
}

/**
 * Inserts [offset, end) and returns the verdict (IPFRAG_OK, IPFRAG_DUP,
 * IPFRAG_OVERLAP). Tail path when the fragment ends beyond fragments_tail:
 * overlap if it starts before that end, appended to the last run if it starts
 * exactly there, else a new run. Otherwise the binary search: inside one run
 * is a duplicate (the queue is kept, first data wins), any other intersection
 * with a run is an overlap, and no intersection makes a run of its own.
 * Mutates `set` only on "ok".
 */
export function queueInsert(set: RunSet, offset: number, end: number): InsertVerdict {
  if (set.tailEnd === null) {
    const run = { start: offset, end };
    set.runs.push(run);
    set.lastRun = run;
    set.tailEnd = end;
    return "ok";
  }
  if (set.tailEnd < end) {
    if (offset < set.tailEnd) return "overlap";
    if (offset === set.tailEnd && set.lastRun) {
      set.lastRun.end = end; // fragrun_append_to_last()
    } else {
      const run = { start: offset, end };
      set.runs.push(run);
      set.lastRun = run; // fragrun_create()
    }
    set.tailEnd = end;
    return "ok";
  }
  for (const run of set.runs) {
    if (end <= run.start || offset >= run.end) continue;
    return offset >= run.start && end <= run.end ? "dup" : "overlap";
  }
  // A run of its own; fragments_tail and last_run_head stay where they were.
  set.runs.push({ start: offset, end });
  return "ok";
}
