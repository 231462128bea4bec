// Text into HTML or SVG: the five characters that could end a text node or an
// attribute value, escaped. Every generated page and picture goes through it.
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
