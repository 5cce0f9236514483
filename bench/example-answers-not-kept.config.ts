/**
 * The example graph as graftql.config.ts serves it, but keeping no answers
 * (`cache.maxResultBytes: 0`): the bench's row that shows what the example
 * query costs when each request is executed, from the stored upstream
 * answers.
 */
import example from '../graftql.config.ts';

export default { ...example, schema: '../schema', cache: { maxResultBytes: 0 } };
