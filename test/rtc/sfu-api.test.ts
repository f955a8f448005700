import { afterEach, describe, expect, it } from 'vitest';
import { RtpPeer } from '../../bench/support/rtp-peer.js';
import { Sfu, SfuError } from '../../src/rtc/sfu/sfu.js';
import { eventually, RoomHarness, sleep } from './harness.js';

let h: RoomHarness | undefined;
const extra: RtpPeer[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((p) => p.close()));
  await h?.close();
  h = undefined;
});

describe('SfuRoom contract', () => {
  it('refuses a publish that does not match its offer, and still accepts a correct one afterwards', async () => {
    h = new RoomHarness();
    const peer = new RtpPeer({ name: 'p1' });
    extra.push(peer);
    await expect(h.room.publish('p1', 'v=0\r\n', [])).rejects.toThrow(SfuError);
    await h.room.addParticipant('p1');
    peer.addSource('mic');
    peer.addSource('camera');
    const { sdp, tracks } = await peer.publishOffer();
    const mic = tracks.find((t) => t.source === 'mic')!.mid;
    const camera = tracks.find((t) => t.source === 'camera')!.mid;
    await expect(h.room.publish('p1', sdp, [{ mid: '9', source: 'mic' }])).rejects.toThrow(/not in the offer/);
    await expect(h.room.publish('p1', sdp, [{ mid: camera, source: 'mic' }])).rejects.toThrow(/is video, not mic/);
    await expect(h.room.publish('p1', sdp, [{ mid: mic, source: 'mic' }, { mid: camera, source: 'mic' }])).rejects.toThrow(/declared twice/);
    const answer = await h.room.publish('p1', sdp, tracks);
    expect(answer).toContain('a=recvonly');
    await peer.publishAnswer(answer);
    await peer.connected(peer.upstream);
  });

  it('a participant removed mid-publish gets a refusal, not a promise that never settles', async () => {
    h = new RoomHarness();
    const peer = new RtpPeer({ name: 'p1' });
    extra.push(peer);
    await h.room.addParticipant('p1');
    peer.addSource('camera');
    const { sdp, tracks } = await peer.publishOffer();
    const publishing = h.room.publish('p1', sdp, tracks);
    await h.room.removeParticipant('p1');
    await expect(publishing).rejects.toThrow(/has left/);
  });

  it('offers a lone participant only spare slots, so its downstream is up before anyone joins, and refuses an answer nobody asked for', async () => {
    h = new RoomHarness();
    const alone = await h.join('alone', ['camera']);
    await eventually(() => alone.downstream.connectionState === 'connected', 8_000, 'downstream connected');
    expect(h.offers.map((o) => o.tracks)).toEqual([[]]);
    expect(h.offers[0]!.sdp.match(/^m=(audio|video)/gm)).toEqual(['m=audio', 'm=video', 'm=video']);
    await expect(h.room.downstreamAnswer('alone', 'v=0\r\n')).rejects.toThrow(/no downstream offer/);
    await expect(h.room.downstreamAnswer('nobody', 'v=0\r\n')).rejects.toThrow(SfuError);
    h.room.setForwarding('nobody', 'mic', false);
    await h.room.removeParticipant('nobody');
    expect(h.room.stats()).toEqual({ participants: 1, forwardedStreams: 0 });
  });

  it('a participant added again (a reload) starts over and receives the others\' tracks anew', async () => {
    h = new RoomHarness();
    await h.join('p1', ['camera']);
    const first = await h.join('p2', []);
    await eventually(() => first.stream('p1', 'camera').packets > 10, 8_000, 'media');
    await first.close();
    h.peers.delete('p2');
    const again = await h.join('p2', []);
    await eventually(() => again.stream('p1', 'camera').packets > 10, 8_000, 'media after rejoin');
    expect(h.room.stats()).toEqual({ participants: 2, forwardedStreams: 1 });
    expect(h.errors).toEqual([]);
  });

  it('a throwing offer handler is reported, not fatal', async () => {
    const warnings: string[] = [];
    h = new RoomHarness({ listenIp: '127.0.0.1', logger: { warn: (_o, m) => warnings.push(m), debug: () => undefined } });
    await h.join('p1', ['camera']);
    h.room.onDownstreamOffer = () => {
      throw new Error('socket gone');
    };
    await h.room.addParticipant('p2');
    await eventually(() => warnings.length > 0, 4_000, 'warning');
    expect(warnings).toEqual(['downstream offer handler threw']);
  });

  it('closeRoom drops the room; the next room() call starts an empty one', async () => {
    h = new RoomHarness();
    await h.join('p1', ['camera']);
    await h.sfu.closeRoom('conference-1');
    expect(h.sfu.room('conference-1')).not.toBe(h.room);
    expect(h.sfu.room('conference-1').stats()).toEqual({ participants: 0, forwardedStreams: 0 });
    await expect(h.room.addParticipant('p9')).rejects.toThrow(/closed/);
  });

  it('rejects an impossible port range or address', () => {
    expect(() => new Sfu({ listenIp: '::1' })).toThrow(/IPv4/);
    expect(() => new Sfu({ announcedIp: 'media.example.com' })).toThrow(/IP address/);
    expect(() => new Sfu({ listenIp: '0.0.0.0', announcedIp: '203.0.113.7' })).not.toThrow();
    expect(() => new Sfu({ portRange: [40100, 40000] })).toThrow(RangeError);
    expect(() => new Sfu({ portRange: [0, 10] })).toThrow(RangeError);
    expect(() => new Sfu({ portRange: [40000, 40100] })).not.toThrow();
  });
});
