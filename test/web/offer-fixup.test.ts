/** The page's reading of SFU offers whose inactive sections arrive as rejected (port 0) but bundled. */
import { describe, expect, it } from 'vitest';
import { unrejectBundledSections } from '../../web/src/rtc/offer-fixup.js';

const offer = (bundle: string, sections: string[]) =>
  ['v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', `a=group:BUNDLE ${bundle}`, ...sections, ''].join('\r\n');
const audio = (port: number, mid: string, dir: string) => [`m=audio ${port} UDP/TLS/RTP/SAVPF 111`, 'c=IN IP4 0.0.0.0', `a=${dir}`, `a=mid:${mid}`, 'a=rtpmap:111 opus/48000/2'].join('\r\n');

describe('unrejectBundledSections', () => {
  it('turns a bundled port-0 section into an inactive one and leaves live sections alone', () => {
    const sdp = offer('0 1', [audio(0, '0', 'inactive'), audio(9, '1', 'sendonly')]);
    const fixed = unrejectBundledSections(sdp);
    expect(fixed).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=inactive\r\na=mid:0');
    expect(fixed).toContain('a=sendonly\r\na=mid:1');
    expect(fixed.split('\r\n')).toHaveLength(sdp.split('\r\n').length);
    expect(fixed.endsWith('\r\n')).toBe(true);
  });

  it('marks the section inactive whatever direction it claimed', () => {
    const fixed = unrejectBundledSections(offer('0 1', [audio(0, '0', 'sendonly'), audio(9, '1', 'sendonly')]));
    expect(fixed).toMatch(/m=audio 9 [^\r]*\r\nc=IN IP4 0.0.0.0\r\na=inactive\r\na=mid:0/);
  });

  it('keeps a rejected section that is outside the BUNDLE group, and offers without a group, unchanged', () => {
    const outside = offer('1', [audio(0, '0', 'inactive'), audio(9, '1', 'sendonly')]);
    expect(unrejectBundledSections(outside)).toBe(outside);
    const noGroup = outside.replace('a=group:BUNDLE 1\r\n', '');
    expect(unrejectBundledSections(noGroup)).toBe(noGroup);
  });
});
