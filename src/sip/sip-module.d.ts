/** The parts of the npm `sip` package (0.0.x, no types of its own) that src/sip uses. */
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
  }
  export interface NameAddr {
    name?: string;
    uri: string;
    params: Record<string, string | null | undefined>;
  }
  export interface SipMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version?: string;
    headers: {
      via: Array<{ host: string; port?: number; protocol?: string; params: Record<string, string | null> }>;
      to: NameAddr;
      from: NameAddr;
      'call-id': string;
      cseq: { seq: number; method: string };
      contact?: NameAddr[] | '*';
      'record-route'?: NameAddr[];
      route?: NameAddr[];
      'content-type'?: string;
      [name: string]: unknown;
    };
    content?: string;
  }
  export interface Remote {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }
  export interface Stack {
    send(message: SipMessage, callback?: (response: SipMessage) => void): void;
    destroy(): void;
    hostname(): string;
    /** A URI that makes the stack send back over the connection (or from the socket) a request came in on. */
    encodeFlowUri(flow: Remote): SipUri;
  }
  export interface StackOptions {
    port?: number;
    address?: string;
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    logger?: { error?: (e: unknown) => void; send?: (m: SipMessage, target: Remote) => void; recv?: (m: SipMessage, remote: Remote) => void };
  }
  export function create(options: StackOptions, onRequest: (request: SipMessage, remote: Remote) => void): Stack;
  export function makeResponse(request: SipMessage, status: number, reason?: string, extension?: { headers?: Record<string, unknown>; content?: string }): SipMessage;
  export function parseUri(uri: string): SipUri;
  export function stringifyUri(uri: SipUri): string;
  export function generateBranch(): string;
  const sip: {
    create: typeof create;
    makeResponse: typeof makeResponse;
    parseUri: typeof parseUri;
    stringifyUri: typeof stringifyUri;
    generateBranch: typeof generateBranch;
  };
  export default sip;
}
