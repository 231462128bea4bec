import { describe, expect, it } from "vitest";
import { markdownCell } from "../../reporting/markdown-cell.js";

describe("markdownCell", () => {
  it("keeps a pipe and a newline from ending the cell or the row", () => {
    expect(markdownCell("a|b\nc")).toBe("a\\|b c");
    expect(markdownCell("plain")).toBe("plain");
  });
});
