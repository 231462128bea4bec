// Text into a Markdown table cell: a `|` would end the cell and a newline the
// row, so both are neutralised. Every generated Markdown table goes through it.
export function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
