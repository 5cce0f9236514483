/**
 * The example graph as graftql.config.ts serves it, but with no shared
 * executions (`server.dedupe: false`): the bench's row that shows what the
 * example query costs when each request runs its own.
 */
import example from '../graftql.config.ts';

export default { ...example, schema: '../schema', server: { ...example.server, dedupe: false } };
