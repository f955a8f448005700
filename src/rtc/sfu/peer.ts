import { RTCPeerConnection } from 'werift';
import { rewriteCandidates } from './sdp.js';
import { peerConfig, type SfuOptions } from './options.js';

const GATHER_TIMEOUT_MS = 5_000;

export function createPeer(opts: SfuOptions): RTCPeerConnection {
  return new RTCPeerConnection(peerConfig(opts));
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

/** The local description, with candidates, as the browser must receive it. */
export function localSdp(pc: RTCPeerConnection, opts: SfuOptions): string {
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('no local description');
  return rewriteCandidates(sdp, opts);
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
