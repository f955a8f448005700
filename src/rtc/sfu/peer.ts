import { RTCPeerConnection, type RTCSessionDescription } from 'werift';
import { patientTcpChecks } from './ice-tcp-checks.js';
import { rewriteCandidates, unrejectInactive } from './sdp.js';
import { peerConfig, type SfuOptions } from './options.js';

const GATHER_TIMEOUT_MS = 5_000;

export function createPeer(opts: SfuOptions): RTCPeerConnection {
  return new RTCPeerConnection(peerConfig(opts));
}

/**
 * Sets the local description and waits until every candidate is gathered. werift 0.24's ICE agent
 * queries stun.l.google.com even with `iceServers: []`: that leaks traffic to a third party and, where
 * DNS is slow or absent, stalls gathering for its 5 s timeout. The fallback is cleared on every ICE
 * transport first (transports exist once the transceivers do, gathering starts here).
 */
export async function setLocalAndGather(pc: RTCPeerConnection, description: Promise<RTCSessionDescription>): Promise<void> {
  const desc = await description;
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
  // werift picks a port from the range by binding, closing and binding again; two connections
  // gathering at once could pick the same port, so gathering runs one connection at a time.
  await portAllocation.run(async () => {
    await pc.setLocalDescription(desc);
    await gatheringComplete(pc);
  });
  patientTcpChecks(pc);
}

/** No trickle ICE (docs/room-protocol.md): an SDP leaves only once every candidate is in it. */
export async function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('ICE gathering did not complete'));
    }, GATHER_TIMEOUT_MS);
    const { unSubscribe: unsubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
    // The state may have changed between the check above and the subscription.
    if (pc.iceGatheringState === 'complete') {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

/**
 * The local description, with candidates, as the browser must receive it. `stayRejected`: mids the
 * browser rejected in its offer (see unrejectInactive).
 */
export function localSdp(pc: RTCPeerConnection, opts: SfuOptions, stayRejected?: ReadonlySet<string>): string {
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('no local description');
  return unrejectInactive(rewriteCandidates(sdp, opts), stayRejected);
}

/** Runs async jobs one after another (one negotiation at a time per connection). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * A promise that rejects once `close()` is called: werift operations on a closed connection can wait
 * forever, so callers race their negotiation against this to always settle.
 */
export class Closer {
  private reject!: (err: Error) => void;
  readonly closed: Promise<never>;

  constructor(private readonly reason: () => Error) {
    this.closed = new Promise<never>((_, reject) => (this.reject = reject));
    this.closed.catch(() => undefined);
  }

  close(): void {
    this.reject(this.reason());
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.closed]);
  }
}

const portAllocation = new SerialQueue();
