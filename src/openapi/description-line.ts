/** Small pieces of the SDL text the import writes. */

/** A description line as the import writes it (indented, first line only, double quotes made single), or '' when there is no text. */
export function descriptionLine(text: unknown): string {
  if (typeof text !== 'string') return '';
  const line = text.split('\n')[0]?.trim().replace(/"/g, "'") ?? '';
  return line ? `  "${line.length > 200 ? `${line.slice(0, 197)}...` : line}"\n` : '';
}

/** The name a generated field or argument declaration declares, after its comments and description. */
export function declaredName(declaration: string): string {
  return /^(?:\s*#.*\n)*(?:\s*".*"\n)?\s*(\w+)/.exec(declaration)?.[1] ?? '';
}
