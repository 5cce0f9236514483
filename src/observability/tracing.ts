/**
 * OpenTelemetry traces: a span per GraphQL request (children for parsing,
 * validation and execution), a span per source call (its cache outcome),
 * and a client span per HTTP exchange with the HTTP semantic conventions
 * (method, route template, server, status, resend count; never the URL with
 * its query). W3C `traceparent` is read from callers and sent to sources,
 * each as configured.
 *
 * Off unless `observability.tracing.enabled` (by default: when
 * OTEL_TRACES_EXPORTER is "otlp"): then the SDK is loaded, configured by
 * the standard OTEL_* variables (endpoint, headers, service name, sampler),
 * and spans leave over OTLP/HTTP. A process that registered its own
 * OpenTelemetry SDK keeps it: the gateway's spans go to that one. When off,
 * nothing of the SDK is loaded and no span is made.
 */
import { createRequire } from 'node:module';
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../telemetry/logger.ts';
import type { RequestTrace, Tracing } from '../telemetry/trace.ts';

export interface TracingOptions {
  acceptParent: boolean;
  propagate: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** Told when spans cannot be exported, and when they can again. */
  logger: Logger;
  /** On shutdown, buffered spans get this long to leave: an endpoint that is down must not hold up the process's exit. */
  shutdownFlushMs: number;
}

export function createTracing({
  acceptParent,
  propagate,
  env = process.env,
  logger,
  shutdownFlushMs,
}: TracingOptions): Tracing {
  const { tracer, shutdown } = tracerFor(env, logger, shutdownFlushMs);
  const require = createRequire(import.meta.url);
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const propagator = new W3CTraceContextPropagator();

  return {
    request(header) {
      const parent = acceptParent
        ? propagator.extract(ROOT_CONTEXT, header, { get: (read, key) => read(key), keys: () => [] })
        : ROOT_CONTEXT;
      return requestTrace(tracer, parent);
    },

    call(parent, source, method, route) {
      const span = tracer.startSpan(
        `${source} ${method}${route ? ` ${route}` : ''}`,
        { kind: SpanKind.INTERNAL, attributes: { 'graftql.source': source } },
        parent ?? ROOT_CONTEXT,
      );
      return {
        context: trace.setSpan(parent ?? ROOT_CONTEXT, span),
        end({ cache, error }) {
          if (cache) span.setAttribute('graftql.cache.result', cache);
          if (error) {
            span.setAttribute('error.type', error);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },

    exchange(parent, { source, method, route, url, resend }) {
      const span = tracer.startSpan(
        route ? `${method} ${route}` : method,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'http.request.method': method,
            'server.address': url.hostname,
            'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
            'url.scheme': url.protocol.slice(0, -1),
            ...(route && { 'url.template': route }),
            ...(resend > 0 && { 'http.request.resend_count': resend }),
            'graftql.source': source,
          },
        },
        parent ?? ROOT_CONTEXT,
      );
      return {
        headers() {
          const carrier: Record<string, string> = {};
          if (propagate)
            propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
              set: (target, key, value) => void (target[key] = value),
            });
          return carrier;
        },
        end({ status, error }) {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (error) {
            span.setAttribute('error.type', error);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },

    shutdown,
  };
}

/** A request's server span, a span per step inside it, and the context its upstream calls are children of (the execution's while it runs). */
function requestTrace(tracer: Tracer, parent: Context): RequestTrace {
  const span = tracer.startSpan('graphql.request', { kind: SpanKind.SERVER }, parent);
  const own = trace.setSpan(parent, span);
  let current = own;
  return {
    step<T>(name: Parameters<RequestTrace['step']>[0], run: () => T): T {
      const child = tracer.startSpan(name, { kind: SpanKind.INTERNAL }, own);
      if (name === 'graphql.execute') current = trace.setSpan(own, child);
      const ended = () => {
        child.end();
        current = own;
      };
      try {
        const result = run();
        if (result instanceof Promise) return result.finally(ended) as T;
        ended();
        return result;
      } catch (error) {
        child.setStatus({ code: SpanStatusCode.ERROR });
        ended();
        throw error;
      }
    },
    get context() {
      return current;
    },
    end(report) {
      if (report.operationType)
        span.updateName(
          `${report.operationType}${report.operationName ? ` ${report.operationName.slice(0, 100)}` : ''}`,
        );
      span.setAttributes({
        ...(report.operationType && { 'graphql.operation.type': report.operationType }),
        ...(report.operationName && { 'graphql.operation.name': report.operationName.slice(0, 100) }),
        'http.response.status_code': report.status,
        'graftql.request_id': report.requestId,
        'graftql.upstream_calls': report.upstreamCalls,
        'graftql.cache_hits': report.cacheHits,
        ...(report.fromResultCache && { 'graftql.result_cache_hit': true }),
        ...(report.codes.length > 0 && { 'graftql.error_codes': [...report.codes] }),
        ...(report.subject !== undefined && { 'enduser.id': report.subject.slice(0, 100) }),
      });
      if (report.status >= 500 || report.codes.includes('INTERNAL_SERVER_ERROR'))
        span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** The process's own OpenTelemetry SDK when it registered one; else one made here from the OTEL_* variables. */
function tracerFor(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  shutdownFlushMs: number,
): { tracer: Tracer; shutdown(): Promise<void> } {
  // The API has no "is one registered?": the global proxy delegates to its no-op provider until one is.
  const global = trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = global.getDelegate?.();
  if (delegate && delegate.constructor.name !== 'NoopTracerProvider')
    return { tracer: trace.getTracer('graftql'), shutdown: async () => {} };
  // Loaded only now: a gateway without tracing never loads the SDK.
  const require = createRequire(import.meta.url);
  const { BasicTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes, detectResources, envDetector } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'graftql' }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(reporting(new OTLPTraceExporter(), logger))],
  });
  return {
    tracer: provider.getTracer('graftql'),
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, shutdownFlushMs)));
      await Promise.race([
        provider
          .shutdown()
          .catch((error: unknown) =>
            logger.warn({ err: error }, 'spans still buffered at shutdown could not be exported'),
          ),
        bound,
      ]);
      clearTimeout(timer);
    },
  };
}

/**
 * The exporter, saying when export starts failing and when it works again
 * (once each, not per batch): the SDK itself only drops the spans, silently.
 */
function reporting<Exporter extends SpanExporter>(exporter: Exporter, logger: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        const failed = result.code !== 0; // ExportResultCode.SUCCESS
        if (failed && !failing)
          logger.warn(
            { err: result.error, spans: spans.length },
            'spans could not be exported to the OTLP endpoint; dropping them until it answers',
          );
        if (!failed && failing) logger.info('spans are exported to the OTLP endpoint again');
        failing = failed;
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
