import type { ClientIce } from '../../../src/protocol/room.js';

// No trickle ICE (docs/room-protocol.md): SDP is sent once gathering is complete, or after a cap so a
// slow or unreachable interface cannot hold the join up.

export const ICE_GATHERING_CAP_MS = 2000;
/**
 * With TURN servers, a URL the network blocks (TURN over UDP where UDP is dropped) never answers and
 * would hold every join up to the cap: once a first relay candidate is in, the others get this long.
 */
export const RELAY_GRACE_MS = 300;
/**
 * Without ICE servers only host candidates exist, and Chromium can take ~100 ms to report its last
 * interface (bench/two-way-join.ts). Once the first is in, the others get this long: the SFU also
 * learns any address it was not told from that address's connectivity checks (peer-reflexive).
 */
export const HOST_GRACE_MS = 30;

export function gatheringComplete(pc: RTCPeerConnection, capMs = ICE_GATHERING_CAP_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let grace = 0;
    const done = () => {
      window.clearTimeout(timer);
      window.clearTimeout(grace);
      pc.removeEventListener('icegatheringstatechange', check);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const hostOnly = (pc.getConfiguration().iceServers ?? []).length === 0;
    // A null candidate also marks the end of gathering (older browsers skip the state event).
    const onCandidate = (event: RTCPeerConnectionIceEvent) => {
      if (!event.candidate) done();
      else if (event.candidate.type === 'relay' && !grace) grace = window.setTimeout(done, RELAY_GRACE_MS);
      else if (hostOnly && !grace) grace = window.setTimeout(done, HOST_GRACE_MS);
    };
    const timer = window.setTimeout(done, capMs);
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/**
 * The connection configuration: the server is the only peer and announces its own addresses; TURN
 * servers (and 'relay' policy) only when the server hands them out in `welcome`.
 */
export function rtcConfig(ice?: ClientIce): RTCConfiguration {
  return {
    iceServers: ice?.iceServers ?? [],
    iceTransportPolicy: ice?.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
}
