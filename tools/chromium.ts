/** Chromium for the meeting-room tests and benchmarks: Debian's build, fake media, loopback ICE. */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export interface LaunchOptions {
  /** Another executable, e.g. a script running Chromium inside a network namespace. */
  executablePath?: string;
  /** Chromium's environment (e.g. a HOME whose NSS database trusts a test CA). */
  env?: Record<string, string>;
  /** More command-line flags. */
  args?: string[];
}

/** Debian's Chromium with fake camera/microphone, as /work/shared/notes describes for this machine. */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    ...(opts.env ? { env: opts.env } : {}),
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...(opts.args ?? []),
    ],
  });
}

/**
 * One participant: its own context (own cookies, so its own vconf_device) and a page whose
 * RTCPeerConnections are recorded for getStats() — the page itself is not changed. `options`
 * add to the context's (a locale, a phone's viewport, …).
 */
export async function newParticipant(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 800 }, ...options });
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const seen: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = seen;
    class Recorded extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        seen.push(this);
      }
    }
    window.RTCPeerConnection = Recorded;
  });
  const page = await context.newPage();
  return { context, page };
}

export interface InboundTotals {
  framesDecoded: number;
  audioPackets: number;
  videoStreams: number;
  audioStreams: number;
}

/** How many peer connections the page has made so far (to look only at later ones). */
export async function peerConnectionCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length);
}

/** Sums inbound-rtp stats over every live peer connection of the page (from the `since`-th one on). */
export async function inboundTotals(page: Page, since = 0): Promise<InboundTotals> {
  return page.evaluate(async (since) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.slice(since).filter((pc) => pc.connectionState !== 'closed');
    const totals = { framesDecoded: 0, audioPackets: 0, videoStreams: 0, audioStreams: 0 };
    for (const pc of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') {
          totals.framesDecoded += s.framesDecoded ?? 0;
          if ((s.framesDecoded ?? 0) > 0) totals.videoStreams++;
        } else if (s.kind === 'audio') {
          totals.audioPackets += s.packetsReceived ?? 0;
          if ((s.packetsReceived ?? 0) > 0) totals.audioStreams++;
        }
      });
    }
    return totals;
  }, since);
}

/** Video sizes of the remote tiles' <video> elements, by participant id. */
export async function remoteVideoWidths(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    document.querySelectorAll<HTMLElement>('[data-testid="participant-tile"][data-local="false"]').forEach((tile) => {
      const video = tile.querySelector('video');
      out[tile.dataset.participantId ?? '?'] = video?.videoWidth ?? 0;
    });
    return out;
  });
}
