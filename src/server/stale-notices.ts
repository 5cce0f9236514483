import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.ts';

/**
 * Tells the client when part of its answer came from a cached copy because a
 * source was failing: `extensions.stale: [{ source, ageSeconds, reason }]`.
 */
export function useStaleNotices(): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const notices = (args.contextValue as GatewayContext).staleNotices;
          if (notices.length === 0 || Symbol.asyncIterator in Object(result)) return;
          const single = result as ExecutionResult;
          setResult({ ...single, extensions: { ...single.extensions, stale: notices } });
        },
      };
    },
  };
}
