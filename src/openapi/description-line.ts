/** How the import writes a description: the one line of an OpenAPI summary or description it keeps. */

/** A description line as the import writes it (indented, first line only, double quotes made single), or '' when there is no text. */
export function descriptionLine(text: unknown): string {
  if (typeof text !== 'string') return '';
  const first = text.split('\n')[0]?.trim() ?? '';
  if (!first) return '';
  const line = first.length > 200 ? `${first.slice(0, 197)}...` : first;
  // Cut before escaping: a backslash starts an escape sequence in the SDL string, and most (`\'`, `\#`) are not GraphQL's.
  return `  "${line.replace(/\\/g, '\\\\').replace(/"/g, "'")}"\n`;
}
