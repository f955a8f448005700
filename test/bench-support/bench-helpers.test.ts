import { describe, expect, it } from 'vitest';
import { janusConfigFiles, toJcfg } from '../../bench/support/janus-config.js';
import { simulcastOffer, withoutSimulcast, RID_EXT_URI, MID_EXT_URI } from '../../bench/support/simulcast-sdp.js';
import { parseVp8, vp8Packet } from '../../bench/support/vp8-payload.js';

describe('VP8 payloads of the synthetic publisher', () => {
  it("a keyframe's first packet carries S, a 15-bit picture ID, P=0 and the start code with the frame size", () => {
    const p = vp8Packet({ pictureId: 0x1234, first: true, keyframe: true, width: 1280, height: 720, size: 1000 });
    expect(p.length).toBe(1000);
    expect(p[0]).toBe(0x90);
    expect(p.subarray(7, 10)).toEqual(Buffer.from([0x9d, 0x01, 0x2a]));
    expect(parseVp8(p)).toEqual({ pictureId: 0x1234, first: true, keyframe: true, width: 1280, height: 720 });
  });

  it('delta frames and continuation packets are not keyframes', () => {
    expect(parseVp8(vp8Packet({ pictureId: 7, first: true, keyframe: false, width: 320, height: 180, size: 500 }))).toEqual({ pictureId: 7, first: true, keyframe: false });
    expect(parseVp8(vp8Packet({ pictureId: 0x7fff + 2, first: false, keyframe: true, width: 320, height: 180, size: 500 }))).toEqual({ pictureId: 1, first: false, keyframe: false });
  });
});

const OFFER = [
  'v=0', 'o=- 1 0 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendonly',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=rtpmap:96 VP8/90000',
  'a=ssrc-group:FID 11 12', 'a=ssrc:11 cname:x', 'a=ssrc:12 cname:x', 'a=msid:s t',
].join('\r\n') + '\r\n';

describe('simulcast offer edits', () => {
  it('adds rid lines and the rid extension, drops SSRC lines and keeps the existing mid extension id', () => {
    const { sdp, midExtId, ridExtId } = simulcastOffer(OFFER, '0', ['q', 'h', 'f']);
    expect(midExtId).toBe(1);
    expect(ridExtId).toBe(2);
    expect(sdp).toContain(`a=extmap:2 ${RID_EXT_URI}`);
    expect(sdp.match(new RegExp(MID_EXT_URI, 'g'))).toHaveLength(1);
    expect(sdp).toContain('a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n');
    expect(sdp).not.toContain('a=ssrc');
    expect(sdp).toContain('a=msid:s t');
  });

  it('takes the simulcast lines out of an answer and refuses a missing section', () => {
    expect(withoutSimulcast('v=0\r\nm=video 9 X 96\r\na=rid:q recv\r\na=simulcast:recv q\r\na=mid:0\r\n')).toBe('v=0\r\nm=video 9 X 96\r\na=mid:0\r\n');
    expect(() => simulcastOffer(OFFER, '5', ['q'])).toThrow(/no video m-section/);
  });
});

describe('Janus configuration', () => {
  it('serializes libconfig groups, strings, numbers, booleans and arrays', () => {
    expect(toJcfg({ general: { a: 'x"y', b: 3, c: false, d: [1, 'z'] }, empty: {} })).toBe(
      'general: {\n\ta = "x\\"y"\n\tb = 3\n\tc = false\n\td = [1, "z"]\n}\nempty: {\n}\n',
    );
    expect(() => toJcfg({ g: { 'bad key': 1 } })).toThrow(/invalid jcfg key/);
  });

  it('loads from the given folders, keeps ICE on 127.0.0.1 without STUN, and serves HTTP on loopback only', () => {
    const files = janusConfigFiles({ configs: '/c', plugins: '/p', transports: '/t', events: '/e', loggers: '/l' }, 18088);
    expect(Object.keys(files).sort()).toEqual(['janus.jcfg', 'janus.plugin.videoroom.jcfg', 'janus.transport.http.jcfg']);
    const core = files['janus.jcfg']!;
    expect(core).toContain('plugins_folder = "/p"');
    expect(core).toContain('ice_enforce_list = "127.0.0.1"');
    expect(core).toContain('session_timeout = 0');
    expect(core).not.toContain('stun_server');
    expect(files['janus.transport.http.jcfg']).toMatch(/port = 18088\n\tip = "127.0.0.1"/);
  });
});
