import type { BoundSource } from '../sources/request-sources.ts';

/** The sources the example graph's resolvers call; start-up fails when the config lacks one. */
export const GRAPH_SOURCES = ['accounts', 'content', 'comments', 'weather'] as const;

export type GraphSourceName = (typeof GRAPH_SOURCES)[number];
export type GraphSources = Readonly<Record<GraphSourceName, BoundSource>>;
