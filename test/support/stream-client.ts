/** DingTalk's official Stream-mode client (`dingtalk-stream`), pointed at a vconf. */
import { DWClient } from 'dingtalk-stream';

/**
 * The official client with its gateway address overridden: the package hard-codes
 * https://api.dingtalk.com/v1.0/gateway/connections/open in getEndpoint(), so this subclass makes
 * the same request to vconf and keeps everything else (socket, pings, acknowledgements) as shipped.
 */
export class VconfStreamClient extends DWClient {
  constructor(
    private readonly gateway: string,
    opts: { clientId: string; clientSecret: string },
    /** Called once the ticket is in hand, right before the WebSocket is opened. */
    private readonly beforeConnect: () => void = () => {},
  ) {
    super({ ...opts, ua: 'vconf-test' });
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(`${this.gateway}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions }),
    });
    const { endpoint, ticket } = (await res.json()) as { endpoint?: string; ticket?: string };
    if (!endpoint || !ticket) throw new Error(`no endpoint or ticket (HTTP ${res.status})`);
    (this as unknown as { dw_url: string }).dw_url = `${endpoint}?ticket=${ticket}`;
    this.beforeConnect();
    return this;
  }
}

