// No trickle ICE (docs/room-protocol.md): SDP is sent once gathering is complete, or after a cap so a
// slow or unreachable interface cannot hold the join up.

export const ICE_GATHERING_CAP_MS = 2000;

export function gatheringComplete(pc: RTCPeerConnection, capMs = ICE_GATHERING_CAP_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      window.clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // A null candidate also marks the end of gathering (older browsers skip the state event).
    const onCandidate = (event: RTCPeerConnectionIceEvent) => {
      if (!event.candidate) done();
    };
    const timer = window.setTimeout(done, capMs);
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/** The connection configuration: the server is the only peer and announces its own addresses. */
export const RTC_CONFIG: RTCConfiguration = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
