/**
 * Deepest bracket nesting (`{`, `(`, `[`) in a GraphQL document's text,
 * scanning at most until the limit is passed. graphql-js parses by
 * recursive descent and overflows the stack on about 2,000 nested selection
 * sets, well inside its own token limit, so the nesting is bounded first:
 * one linear pass that skips strings, block strings and comments, and
 * allocates nothing.
 */
export function exceedsNesting(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (text.startsWith('"""', i)) {
        const end = text.indexOf('"""', i + 3);
        // Inside a block string only \""" escapes; it cannot end before a quote that closes it.
        let close = end;
        while (close > 0 && text.charCodeAt(close - 1) === 0x5c /* \ */) close = text.indexOf('"""', close + 3);
        if (close < 0) return false; // unterminated: the parser refuses it
        i = close + 2;
      } else {
        for (i++; i < text.length; i++) {
          const s = text.charCodeAt(i);
          if (s === 0x5c) i++;
          else if (s === 0x22 || s === 0x0a || s === 0x0d) break;
        }
      }
    } else if (c === 0x7b /* { */ || c === 0x28 /* ( */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x29 /* ) */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
