// Splits a byte stream into `\n`-terminated lines with a cap on a line's length.
// readline has no cap: an adapter that floods stdout without a newline grows one
// string until V8 throws RangeError from inside a stream event. Here an
// over-long line is reported once (onOverflow) and its bytes are dropped up to
// the next newline.

/** The longest reply line the adapter runner reads (documented in the README's protocol section). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    /** Called once per over-long line with its first bytes; the rest of that line is discarded. */
    private readonly onOverflow: (head: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      this.append(chunk.subarray(start, end));
      if (newline < 0) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** End of stream: a last line without its newline still counts (as readline does). */
  end(): void {
    if (this.size > 0 && !this.overflowed) this.endLine();
  }

  private append(bytes: Buffer): void {
    if (this.overflowed || bytes.length === 0) return;
    if (this.size + bytes.length > this.maxBytes) {
      const head = Buffer.concat([...this.parts, bytes]).subarray(0, 200);
      this.parts = [];
      this.size = 0;
      this.overflowed = true;
      this.onOverflow(head.toString("utf8"));
      return;
    }
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private endLine(): void {
    const overflowed = this.overflowed;
    const line = Buffer.concat(this.parts).toString("utf8");
    this.parts = [];
    this.size = 0;
    this.overflowed = false;
    if (!overflowed) this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}
