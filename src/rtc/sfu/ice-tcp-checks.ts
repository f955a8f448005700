import type { RTCPeerConnection, TransactionRequestOptions } from 'werift';

/**
 * How long a connectivity check over ICE-TCP waits for its answer. werift sends a check over TCP once
 * (rightly: the transport retransmits) but then waits only its UDP timer's first step, 50 ms. An answer
 * later than that was thrown away: on an idle machine the SFU counted 2 answers to the 4 requests it
 * sent on each of a page's TCP pairs while Chromium reported answering all 4, and under load connects
 * took 3–21 s or never came, since a failed pair is only tried again when the browser's next check
 * arrives. Over a reliable transport STUN waits 39.5 s (RFC 8489 §6.2.2); a few seconds covers a
 * loaded machine and still gives up on a dead connection before the browser does.
 */
export const TCP_CHECK_TIMEOUT_MS = 3_000;

type Request = (...args: [unknown, unknown, unknown?, (number | TransactionRequestOptions)?, ((attempt: number) => void)?]) => Promise<unknown>;

/** werift's per-connection transports, private in its typings. */
interface Protocols {
  protocols: Array<{ type: string; request: Request }>;
}

const patched = new WeakSet<object>();

/**
 * Gives `pc`'s ICE-TCP checks `TCP_CHECK_TIMEOUT_MS` to be answered. Call once its candidates are
 * gathered (werift creates a transport per candidate while gathering). A check passes a retransmission
 * count; consent checks already pass their own timeout and are left alone.
 */
export function patientTcpChecks(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) {
    for (const protocol of (transport.connection as unknown as Protocols).protocols) {
      if (protocol.type !== 'tcp' || patched.has(protocol)) continue;
      patched.add(protocol);
      const request = protocol.request.bind(protocol);
      protocol.request = (message, addr, integrityKey, retransmissions, onRequestSent) =>
        typeof retransmissions === 'object'
          ? request(message, addr, integrityKey, retransmissions, onRequestSent)
          : request(message, addr, integrityKey, { retransmissions: 0, responseTimeout: TCP_CHECK_TIMEOUT_MS, onRequestSent });
    }
  }
}
