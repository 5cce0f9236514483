/**
 * The example graph's hand-written resolvers: what its mapping directives
 * cannot express. Typed by codegen (`npm run codegen`) from the schema the
 * gateway serves; a field here must have no @rest or @ref.
 */
import type { Resolvers } from './generated/resolver-types.ts';

export const resolvers = {
  Article: {
    excerpt: (article, { words }) => {
      const all = article.body.split(/\s+/).filter(Boolean);
      return all.length > words ? `${all.slice(0, words).join(' ')}…` : all.join(' ');
    },
  },
} satisfies Resolvers;
