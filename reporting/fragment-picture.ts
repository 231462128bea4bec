// A frag6 stream drawn on a byte axis, as inline SVG: one lane per packet in
// arrival order, each fragment a bar from its offset to its end (to scale),
// bytes that overlap an earlier fragment of the same datagram painted over,
// and a label with offset, length and M flag. People read overlaps faster as
// drawings than as hex. Pure string building: same stream, same picture.
import { queueKey } from "../model/frag6/fragment.js";
import type { StreamInput } from "../properties/frag6/stream.js";
import { bytesEqual, fromHex } from "../wire/hex.js";
import { datagramParts, parseFragmentPacket, type FragmentPacket } from "../wire/ipv6-fragment.js";
import { escapeHtml } from "./html-escape.js";

/** One packet of the stream as drawn. */
export type Lane =
  | {
      kind: "fragment" | "atomic";
      t: number;
      offset: number;
      end: number;
      more: boolean;
      id: number;
      /** Which datagram (queue key) it belongs to, in order of first appearance: picks its colour. */
      datagram: number;
      /** Byte ranges it shares with an earlier fragment of the same datagram, and whether the bytes agree. */
      overlaps: { from: number; to: number; sameBytes: boolean }[];
    }
  | { kind: "other"; t: number; what: string };

export interface FragmentPicture {
  /** Names the picture for screen readers and tooltips. */
  title: string;
  lanes: Lane[];
  /** Where the first original datagram's Fragmentable Part ends (null: unreadable). */
  datagramEnd: number | null;
}

/** Reads a stream's packets into lanes. Never throws: a packet that cannot be read is drawn as such. */
export function pictureOf(input: StreamInput, title: string): FragmentPicture {
  const keys = new Map<string, number>();
  const held: { key: string; f: FragmentPacket }[] = [];
  const lanes = input.events.map((e, i): Lane => {
    let f: FragmentPacket | null;
    try {
      f = parseFragmentPacket(fromHex(e.packet), `packet ${i + 1}`);
    } catch (error) {
      return { kind: "other", t: e.t, what: `unreadable: ${(error as Error).message}` };
    }
    if (f === null) return { kind: "other", t: e.t, what: "not a fragment" };
    const key = queueKey(f);
    if (!keys.has(key)) keys.set(key, keys.size);
    const offset = f.offset;
    const end = f.offset + f.data.length;
    // An atomic fragment (offset 0, M clear) joins no queue (RFC 6946): it overlaps nothing.
    const atomic = offset === 0 && !f.more;
    const overlaps = atomic
      ? []
      : held
          .filter((h) => h.key === key)
          .flatMap(({ f: g }) => {
            const from = Math.max(offset, g.offset);
            const to = Math.min(end, g.offset + g.data.length);
            if (from >= to) return [];
            const mine = f.data.subarray(from - offset, to - offset);
            return [{ from, to, sameBytes: bytesEqual(mine, g.data.subarray(from - g.offset, to - g.offset)) }];
          });
    if (!atomic) held.push({ key, f });
    return {
      kind: atomic ? "atomic" : "fragment",
      t: e.t,
      offset,
      end,
      more: f.more,
      id: f.identification,
      datagram: keys.get(key)!,
      overlaps,
    };
  });
  let datagramEnd: number | null = null;
  try {
    const original = input.originals[0];
    if (original !== undefined) datagramEnd = datagramParts(fromHex(original)).fragmentable.length;
  } catch {
    datagramEnd = null;
  }
  return { title, lanes, datagramEnd };
}

/** Pixel layout, fixed so every picture on a page shares one look. */
const LANE = 16;
const BAR = 11;
const LEFT = 34;
const PLOT = 400;
const GAP = 12;
const LABEL = 320;
const TOP = 6;
const AXIS = 30;
/** Width of an axis break, and the least gap (bytes) worth breaking. */
const BREAK = 18;
const BREAK_MIN_BYTES = 64;
const TICK_SPACING = 40;

const DATAGRAM_COLOURS = ["#4e79a7", "#76b7b2", "#b07aa1", "#9c755f", "#8cd17d", "#a0cbe8"];

/** A kept stretch of the axis: bytes `from`..`to` drawn from pixel `x`. */
interface Segment {
  from: number;
  to: number;
  x: number;
}

/**
 * The byte axis: linear, except that a gap far wider than all the bytes
 * drawn (a fragment near 65535 beside a 32-byte datagram) is cut out and
 * shown as a break, so both ends stay readable. Within a segment, one byte is
 * the same width everywhere in the picture.
 */
export function byteAxis(ranges: readonly [number, number][]): {
  segments: Segment[];
  scale: number;
  x: (byte: number) => number;
} {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const clusters: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = clusters[clusters.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else clusters.push([from, to]);
  }
  const drawn = clusters.reduce((sum, [from, to]) => sum + (to - from), 0);
  const spans: [number, number][] = [];
  for (const c of clusters) {
    const last = spans[spans.length - 1];
    const gap = last ? c[0] - last[1] : 0;
    if (last && (gap <= BREAK_MIN_BYTES || gap <= 2 * drawn)) last[1] = c[1];
    else spans.push([c[0], c[1]]);
  }
  const kept = Math.max(
    8,
    spans.reduce((sum, [from, to]) => sum + (to - from), 0),
  );
  const scale = (PLOT - BREAK * (spans.length - 1)) / kept;
  const segments: Segment[] = [];
  let x = LEFT;
  for (const [from, to] of spans) {
    segments.push({ from, to, x });
    x += (to - from) * scale + BREAK;
  }
  const at = (byte: number) => {
    const s = segments.find((g) => byte <= g.to) ?? segments[segments.length - 1]!;
    return s.x + (Math.max(s.from, Math.min(byte, s.to)) - s.from) * scale;
  };
  return { segments, scale, x: at };
}

const n1 = (v: number) => v.toFixed(1);

type Tick = { byte: number; anchor: "start" | "middle" | "end" };

/** Where a tick's label lies, in pixels (monospace digits about 6.6 px wide). */
function extent(axis: ReturnType<typeof byteAxis>, t: Tick): [number, number] {
  const w = String(t.byte).length * 6.6;
  const x = axis.x(t.byte);
  return t.anchor === "start" ? [x, x + w] : t.anchor === "end" ? [x - w, x] : [x - w / 2, x + w / 2];
}

/**
 * Labelled ticks: each segment's ends (leaning away from a break, so both
 * sides of it read), the datagram's end, then round numbers wherever their
 * labels do not collide.
 */
function ticks(axis: ReturnType<typeof byteAxis>, datagramEnd: number | null): Tick[] {
  const last = axis.segments.length - 1;
  const must: Tick[] = axis.segments.flatMap((s, i) => [
    { byte: s.from, anchor: i > 0 ? "start" : "middle" } as Tick,
    { byte: s.to, anchor: i < last ? "end" : "middle" } as Tick,
  ]);
  if (datagramEnd !== null) must.push({ byte: datagramEnd, anchor: "middle" });
  const step = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384].find(
    (s) => s * axis.scale >= TICK_SPACING,
  );
  const round: Tick[] = step
    ? axis.segments.flatMap((s) => {
        const out: Tick[] = [];
        for (let b = Math.ceil(s.from / step) * step; b <= s.to; b += step) out.push({ byte: b, anchor: "middle" });
        return out;
      })
    : [];
  const placed: Tick[] = [];
  for (const t of [...must, ...round]) {
    const [a, b] = extent(axis, t);
    const clear = placed.every((p) => {
      const [c, d] = extent(axis, p);
      return p.byte !== t.byte && (b + 6 <= c || d + 6 <= a);
    });
    if (clear) placed.push(t);
  }
  return placed.sort((a, b) => a.byte - b.byte);
}

function laneLabel(lane: Lane, showId: boolean, showTime: boolean): string {
  const time = showTime ? ` t=${lane.t}ms` : "";
  if (lane.kind === "other") return `${lane.what}${time}`;
  const parts = [
    ...(lane.kind === "atomic" ? ["atomic"] : []),
    `off ${lane.offset}`,
    `len ${lane.end - lane.offset}`,
    `M=${lane.more ? 1 : 0}`,
    ...(showId ? [`id ${lane.id}`] : []),
  ];
  return parts.join(" ") + time;
}

/** Times matter to the picture only when arrivals are not evenly spaced (a stream about the timeout). */
function unevenTimes(lanes: readonly Lane[]): boolean {
  const steps = lanes.slice(1).map((l, i) => l.t - lanes[i]!.t);
  return steps.some((s) => s !== steps[0]);
}

/** The picture as an <svg> element: self-contained, escaped, deterministic. */
export function fragmentSvg(p: FragmentPicture): string {
  const bars = p.lanes.filter((l) => l.kind !== "other");
  const ranges: [number, number][] = bars.map((l) => [l.offset, l.end]);
  ranges.push([0, p.datagramEnd ?? 0]);
  const axis = byteAxis(ranges);
  const showId = new Set(bars.map((l) => l.datagram)).size > 1;
  const showTime = unevenTimes(p.lanes);
  const bottom = TOP + p.lanes.length * LANE;
  const width = LEFT + PLOT + GAP + LABEL;
  const height = bottom + AXIS;
  const out: string[] = [];
  // Axis breaks: a pale band down every lane, and a mark on the axis.
  for (const [i, s] of axis.segments.slice(1).entries()) {
    const x0 = axis.x(axis.segments[i]!.to);
    const x1 = s.x;
    out.push(
      `<rect class="axis-break" x="${n1(x0 + 3)}" y="${TOP}" width="${n1(x1 - x0 - 6)}" height="${bottom - TOP}" fill="#f1f3f4"><title>${escapeHtml(`axis broken: bytes ${axis.segments[i]!.to}..${s.from} left out`)}</title></rect>`,
      `<text x="${n1((x0 + x1) / 2)}" y="${bottom + 5}" text-anchor="middle" font-size="12">≈</text>`,
    );
  }
  for (const [i, lane] of p.lanes.entries()) {
    const y = TOP + i * LANE;
    const mid = y + LANE / 2;
    out.push(`<text x="${LEFT - 6}" y="${mid + 4}" text-anchor="end" fill="#5f6368">#${i + 1}</text>`);
    const label = laneLabel(lane, showId, showTime);
    out.push(`<text x="${LEFT + PLOT + GAP}" y="${mid + 4}">${escapeHtml(label)}</text>`);
    if (lane.kind === "other") continue;
    const x0 = axis.x(lane.offset);
    const colour = DATAGRAM_COLOURS[lane.datagram % DATAGRAM_COLOURS.length]!;
    const tip = escapeHtml(`#${i + 1} at t=${lane.t}ms: bytes ${lane.offset}..${lane.end} (${label})`);
    if (lane.end === lane.offset) {
      // No data: a mark where it would start.
      out.push(
        `<rect class="frag zero" x="${n1(x0 - 1)}" y="${y + 1}" width="2" height="${LANE - 2}" fill="#202124"><title>${tip}</title></rect>`,
      );
    } else {
      const w = Math.max(2, axis.x(lane.end) - x0);
      const style = lane.kind === "atomic" ? ` fill-opacity="0.35" stroke-dasharray="3 2"` : "";
      out.push(
        `<rect class="frag" data-offset="${lane.offset}" data-end="${lane.end}" x="${n1(x0)}" y="${mid - BAR / 2}" width="${n1(w)}" height="${BAR}" fill="${colour}" stroke="#202124" stroke-width="0.6"${style}><title>${tip}</title></rect>`,
      );
    }
    for (const o of lane.overlaps) {
      const ox = axis.x(o.from);
      const what = o.sameBytes ? "same bytes" : "different bytes";
      out.push(
        `<rect class="overlap ${o.sameBytes ? "same" : "different"}" x="${n1(ox)}" y="${mid - BAR / 2}" width="${n1(Math.max(2, axis.x(o.to) - ox))}" height="${BAR}" fill="${o.sameBytes ? "#f28e2b" : "#e15759"}"><title>${escapeHtml(`overlaps an earlier fragment at bytes ${o.from}..${o.to}, ${what}`)}</title></rect>`,
      );
    }
  }
  if (p.datagramEnd !== null) {
    const x = n1(axis.x(p.datagramEnd));
    out.push(
      `<line class="datagram-end" x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${bottom}" stroke="#202124" stroke-dasharray="4 3"><title>${escapeHtml(`end of the datagram: byte ${p.datagramEnd}`)}</title></line>`,
    );
  }
  // The axis: one line per kept segment, ticks labelled in bytes.
  for (const s of axis.segments)
    out.push(`<line x1="${n1(s.x)}" y1="${bottom + 2}" x2="${n1(axis.x(s.to))}" y2="${bottom + 2}" stroke="#5f6368"/>`);
  for (const t of ticks(axis, p.datagramEnd)) {
    const x = n1(axis.x(t.byte));
    out.push(
      `<line x1="${x}" y1="${bottom + 2}" x2="${x}" y2="${bottom + 6}" stroke="#5f6368"/><text class="tick" x="${x}" y="${bottom + 17}" text-anchor="${t.anchor}" fill="#5f6368">${t.byte}</text>`,
    );
  }
  out.push(`<text x="${LEFT + PLOT}" y="${bottom + 28}" text-anchor="end" fill="#5f6368">byte offset</text>`);
  const title = escapeHtml(p.title);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="fragments" width="${width}" height="${height + 2}" viewBox="0 0 ${width} ${height + 2}" role="img" aria-label="${title}" font-family="ui-monospace,monospace" font-size="11"><title>${title}</title>${out.join("")}</svg>`;
}
