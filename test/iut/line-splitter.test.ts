import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../iut/line-splitter.js";

function split(chunks: string[], max = 10) {
  const lines: string[] = [];
  const overflows: string[] = [];
  const s = new LineSplitter(
    max,
    (l) => lines.push(l),
    (h) => overflows.push(h),
  );
  for (const c of chunks) s.push(Buffer.from(c));
  s.end();
  return { lines, overflows };
}

describe("line splitter", () => {
  it("joins a line across chunks, splits several in one, drops a trailing \\r, keeps a last unterminated line", () => {
    expect(split(["ab", "c\nde\r\nf\n", "g"])).toEqual({ lines: ["abc", "de", "f", "g"], overflows: [] });
  });

  it("reports an over-long line once, drops it to its newline, and reads on", () => {
    expect(split(["0123456", "789abc", "def\nok\n"])).toEqual({ lines: ["ok"], overflows: ["0123456789abc"] });
    expect(split(["0123456789\n"]).lines).toEqual(["0123456789"]); // exactly the limit is fine
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const bytes = Buffer.from("é\n");
    const lines: string[] = [];
    const s = new LineSplitter(
      10,
      (l) => lines.push(l),
      () => {},
    );
    s.push(bytes.subarray(0, 1));
    s.push(bytes.subarray(1));
    expect(lines).toEqual(["é"]);
  });
});
