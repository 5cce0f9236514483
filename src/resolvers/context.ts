import type { Loaders } from '../loaders/create-loaders.ts';
import type { GatewayContext } from '../server/context.ts';
import type { GraphSources } from './graph-sources.ts';

/** What the example graph's resolvers receive. */
export type ExampleContext = GatewayContext<GraphSources, Loaders>;
