import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Latency buckets (seconds): most API calls answer in a few milliseconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests by operation and status, and the catalogued error codes sent. */
export class HttpMetrics {
  private readonly duration: Histogram<'operation' | 'status'>;
  private readonly errors: Counter<'code'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'vconf_http_request_duration_seconds',
      help: 'HTTP requests answered, by operation (DingTalk action, else method and route) and status; _count is the request count',
      labelNames: ['operation', 'status'],
      buckets: BUCKETS,
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'vconf_api_errors_total',
      help: 'Error bodies sent, by catalogued code (docs/errors.md)',
      labelNames: ['code'],
      registers: [registry],
    });
  }

  /** A Fastify onResponse hook; callback style, so no promise per request. */
  readonly onResponse = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    this.duration.observe({ operation: operationOf(request), status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  };

  /** An error body `{"code","requestid","message"}` went out. */
  errorSent(code: string): void {
    this.errors.inc({ code });
  }
}

/**
 * The DingTalk action of the route when it has one; else method and route pattern. Requests no
 * route matched share one label, so stray URLs cannot grow the label set.
 */
function operationOf(request: FastifyRequest): string {
  const { config, url, method } = request.routeOptions;
  if (config.action) return config.action;
  return url === undefined ? 'unmatched' : `${method} ${url}`;
}
