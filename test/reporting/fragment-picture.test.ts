// The fragment picture of the clarification page: bars to scale on the byte
// axis, overlaps painted, the axis broken only across long empty stretches,
// everything escaped, the same picture for the same stream.
import { describe, expect, it } from "vitest";
import { frag6SeedCases } from "../../properties/frag6/seed-cases.js";
import { byteAxis, fragmentSvg, pictureOf, type FragmentPicture } from "../../reporting/fragment-picture.js";

const seed = (name: string) => frag6SeedCases().find((c) => c.name === name)!.input;

/** Each fragment bar's [x, width] by its byte range, read back from the SVG. */
function bars(svg: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const m of svg.matchAll(
    /class="frag" data-offset="(\d+)" data-end="(\d+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g,
  ))
    out.set(`${m[1]}-${m[2]}`, [Number(m[3]), Number(m[4])]);
  return out;
}

describe("fragment picture", () => {
  it("draws each fragment to scale: equal lengths equal widths, adjacent ranges meet, offsets in proportion", () => {
    const svg = fragmentSvg(pictureOf(seed("partial-overlap"), "partial-overlap"));
    const b = bars(svg);
    expect([...b.keys()]).toEqual(["0-16", "8-24", "16-32"]);
    const [x0, w0] = b.get("0-16")!;
    const [x8, w8] = b.get("8-24")!;
    const [x16, w16] = b.get("16-32")!;
    expect(w0).toBeCloseTo(w8, 0);
    expect(w0).toBeCloseTo(w16, 0);
    expect(x0 + w0).toBeCloseTo(x16, 0);
    expect(x8 - x0).toBeCloseTo(w0 / 2, 0);
    // One lane per packet, in arrival order, each labelled with offset, length and M.
    expect(svg).toContain(">off 0 len 16 M=1<");
    expect(svg).toContain(">off 8 len 16 M=1<");
    expect(svg).toContain(">off 16 len 16 M=0<");
    expect(svg.indexOf(">#1<")).toBeLessThan(svg.indexOf(">#3<"));
  });

  it("paints the bytes a fragment shares with an earlier one, telling same bytes from different", () => {
    const different = fragmentSvg(pictureOf(seed("contained-other-bytes"), "x"));
    const overlap = different.match(/<rect class="overlap different" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/);
    expect(overlap).not.toBeNull();
    // Over the second fragment, bytes 8..16: where its bar is.
    const [x, w] = bars(different).get("8-16")!;
    expect(Number(overlap![1])).toBeCloseTo(x, 1);
    expect(Number(overlap![2])).toBeCloseTo(w, 1);
    expect(different).not.toContain('class="overlap same"');
    const same = fragmentSvg(pictureOf(seed("duplicate-last"), "x"));
    expect(same.match(/class="overlap same"/g)).toHaveLength(1);
    // In order with no overlap: nothing painted.
    expect(fragmentSvg(pictureOf(seed("tiny-first-fragment"), "x"))).not.toContain('class="overlap');
  });

  it("breaks the axis across a long empty stretch, keeping the scale on both sides", () => {
    const svg = fragmentSvg(pictureOf(seed("end-past-65535"), "x"));
    expect(svg.match(/class="axis-break"/g)).toHaveLength(1);
    const b = bars(svg);
    const [, w16] = b.get("0-16")!;
    const [xFar, wFar] = b.get("65528-65544")!;
    expect(wFar).toBeCloseTo(w16, 0);
    expect(xFar).toBeGreaterThan(b.get("16-32")![0] + b.get("16-32")![1]);
    expect(svg).toContain(">65528<");
    expect(svg).toContain(">0<");
    // No break where fragments are near one another.
    const axis = byteAxis([
      [0, 16],
      [40, 48],
    ]);
    expect(axis.segments).toHaveLength(1);
    expect(axis.x(48) - axis.x(40)).toBeCloseTo(axis.x(8) - axis.x(0), 6);
  });

  it("marks a fragment with no data, and draws nothing else from a packet it cannot read", () => {
    const svg = fragmentSvg(pictureOf(seed("zero-length-middle"), "x"));
    expect(svg).toMatch(/<rect class="frag zero"/);
    expect(svg).toContain(">off 8 len 0 M=1<");
    const input = { ...seed("partial-overlap") };
    input.events = [...input.events, { t: 3, packet: "60" }];
    const unreadable = fragmentSvg(pictureOf(input, "x"));
    expect(unreadable).toContain(">unreadable: packet 4: not an IPv6 packet<");
    expect(unreadable.match(/class="frag"/g)).toHaveLength(3);
  });

  it("escapes every text it is given, and is deterministic", () => {
    const picture: FragmentPicture = {
      title: `<script>alert("x")</script> & 'q'`,
      datagramEnd: 16,
      lanes: [{ kind: "other", t: 0, what: "<b>bold</b>" }],
    };
    const svg = fragmentSvg(picture);
    expect(svg).not.toContain("<script>");
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(svg).toContain("&lt;b&gt;bold&lt;/b&gt;");
    const input = seed("fragmentsmack-overlaps");
    expect(fragmentSvg(pictureOf(input, "a"))).toBe(fragmentSvg(pictureOf(structuredClone(input), "a")));
  });
});
