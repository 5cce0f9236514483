/** How the import writes a description: the one line of an OpenAPI summary or description it keeps. */

/** A description line as the import writes it (indented, first line only, double quotes made single), or '' when there is no text. */
export function descriptionLine(text: unknown): string {
  if (typeof text !== 'string') return '';
  const line = text.split('\n')[0]?.trim().replace(/"/g, "'") ?? '';
  return line ? `  "${line.length > 200 ? `${line.slice(0, 197)}...` : line}"\n` : '';
}
