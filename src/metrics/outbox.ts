import { Gauge, type Registry } from 'prom-client';

/** The event outbox as the metrics see it (SqlEventStore). */
export interface OutboxBacklog {
  /** Pending deliveries, due or not. */
  backlog(): Promise<number>;
}

/** Conference event deliveries still to make, counted at scrape time with one indexed query. */
export function registerOutboxMetrics(registry: Registry, outbox: OutboxBacklog, stream?: { readonly size: number }): void {
  if (stream) {
    new Gauge({
      name: 'vconf_event_stream_connections',
      help: 'Stream-mode clients (DingTalk dingtalk-stream) connected to this instance',
      registers: [registry],
      collect() {
        this.set(stream.size);
      },
    });
  }
  new Gauge({
    name: 'vconf_event_outbox_backlog',
    help: 'Conference event deliveries pending (not yet accepted by the app, nor given up)',
    registers: [registry],
    async collect() {
      this.set(await outbox.backlog());
    },
  });
}
