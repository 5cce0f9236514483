/**
 * Deepest array/object nesting in a JSON text, scanning at most until the
 * limit is passed. `JSON.parse` happily builds a 200,000-deep value that any
 * recursive walk (including graphql-js's result completion) then overflows
 * on, and no JSON library bounds depth while parsing, so we check the text
 * first: one linear pass, no allocation.
 */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
