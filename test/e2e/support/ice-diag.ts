import type { Page } from 'playwright-core';
import type { RTCPeerConnection as WeriftPeer } from 'werift';
import type { Sfu } from '../../../src/rtc/sfu/sfu.js';

/**
 * What both ends of every connection of a meeting did in ICE, printed when a connection never came up:
 * each page's peer connections (states, every candidate pair with its checks and answers) and, from
 * the SFU in this process, each werift connection's check list. Only read on failure, to tell which
 * side stopped answering; werift's fields read here are private in its typings.
 */
export async function pagePairs(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const out: unknown[] = [];
    for (const pc of pcs) {
      const stats = await pc.getStats();
      const byId = (id: string) => stats.get(id) as Record<string, unknown> | undefined;
      const side = (c: Record<string, unknown> | undefined) =>
        c && `${c.candidateType}/${c.protocol}${c.tcpType ? `-${c.tcpType}` : ''} ${c.address}:${c.port}`;
      const pairs = [...stats.values()]
        .filter((s) => s.type === 'candidate-pair')
        .map((p) => ({
          local: side(byId(p.localCandidateId)),
          remote: side(byId(p.remoteCandidateId)),
          state: p.state,
          nominated: p.nominated,
          requestsSent: p.requestsSent,
          responsesReceived: p.responsesReceived,
          requestsReceived: p.requestsReceived,
          responsesSent: p.responsesSent,
          bytesSent: p.bytesSent,
          bytesReceived: p.bytesReceived,
        }));
      out.push({ connection: pc.connectionState, ice: pc.iceConnectionState, gathering: pc.iceGatheringState, signaling: pc.signalingState, pairs });
    }
    return out;
  });
}

interface WeriftPair {
  state: number;
  nominated: boolean;
  remoteNominated: boolean;
  requestsSent: number;
  responsesReceived: number;
  requestsReceived: number;
  responsesSent: number;
  localCandidate: { type: string; transport: string; tcptype?: string; host: string; port: number };
  remoteCandidate: { type: string; transport: string; tcptype?: string; host: string; port: number };
}
interface WeriftConnection {
  state: string;
  iceControlling: boolean;
  checkList: WeriftPair[];
  nominated?: WeriftPair;
  remoteCandidatesEnd: boolean;
  earlyChecks: unknown[];
}

/** Every werift connection of `conferenceId`'s room: role, state and check list. */
export function sfuPairs(sfu: Sfu, conferenceId: string): unknown {
  const room = sfu.room(conferenceId) as unknown as { members: Map<string, { publisher: { pc?: WeriftPeer }; subscriber?: { pc: WeriftPeer } }> };
  const describe = (pc: WeriftPeer | undefined) => {
    const ice = (pc as unknown as { iceTransports?: Array<{ connection: WeriftConnection }> } | undefined)?.iceTransports?.[0]?.connection;
    if (!pc || !ice) return undefined;
    const side = (c: WeriftPair['localCandidate']) => `${c.type}/${c.transport}${c.tcptype ? `-${c.tcptype}` : ''} ${c.host}:${c.port}`;
    return {
      connection: pc.connectionState,
      ice: ice.state,
      controlling: ice.iceControlling,
      remoteCandidatesEnd: ice.remoteCandidatesEnd,
      earlyChecks: ice.earlyChecks.length,
      nominated: ice.nominated ? side(ice.nominated.remoteCandidate) : undefined,
      pairs: ice.checkList.map((p) => ({
        local: side(p.localCandidate),
        remote: side(p.remoteCandidate),
        state: ['frozen', 'waiting', 'in-progress', 'succeeded', 'failed'][p.state] ?? p.state,
        nominated: p.nominated,
        remoteNominated: p.remoteNominated,
        requestsSent: p.requestsSent,
        responsesReceived: p.responsesReceived,
        requestsReceived: p.requestsReceived,
        responsesSent: p.responsesSent,
      })),
    };
  };
  return [...room.members].map(([participantId, m]) => ({ participantId, publisher: describe(m.publisher.pc), subscriber: describe(m.subscriber?.pc) }));
}
