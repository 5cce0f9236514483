/** `@rest(batch:)`: the keys of many parents in one call. */
import { type Arg, field, text } from '../directive-args.ts';
import type { BatchPlan, BatchStyle } from '../plan.ts';
import type { FieldContext } from './compile-context.ts';
import { hasField, positive, valueTemplate } from './templates.ts';

export function batchPlan(batch: Arg | undefined, context: FieldContext): BatchPlan | undefined {
  const { diagnostics } = context.compiler;
  if (!batch) return undefined;
  const where = `${context.coordinate} @rest(batch`;
  const key = field(batch, 'key');
  const match = text(field(batch, 'match')) ?? 'id';
  const param = text(field(batch, 'param'));
  if (!hasField(context.returns, match))
    diagnostics.report(
      field(batch, 'match')?.node ?? batch.node,
      `${where}.match): ${context.returns.name} has no field "${match}" to match rows to keys by.`,
    );
  if (param === undefined)
    diagnostics.report(batch.node, `${where}) needs param: the query parameter or body field that carries the keys.`);
  return {
    key: key ? valueTemplate(key, `${where}.key)`, context) : { kind: 'literal', value: undefined },
    param: param ?? '',
    style: (text(field(batch, 'style')) ?? 'REPEAT') as BatchStyle,
    match,
    max: positive(diagnostics, field(batch, 'max'), 100, `${where}.max)`),
  };
}
