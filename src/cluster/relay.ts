import WebSocket, { type RawData } from 'ws';

/** Close codes a relay passes to the page as they are: the room's final words (docs/room-protocol.md). */
function isFinal(code: number): boolean {
  return code === 1000 || code === 1008 || code === 1009 || (code >= 4000 && code <= 4999);
}

/** 1012 "service restart": the page reconnects by itself, and lands wherever the room is now. */
export const RECONNECT_CODE = 1012;

/** Bytes a relay lets queue towards either side before it drops the connection (as the hub does). */
export const RELAY_MAX_BACKLOG = 1024 * 1024;
/** Frames held while the hosting instance is still connecting. */
const MAX_PENDING_FRAMES = 64;

export interface RelayTarget {
  /** Base URL of the hosting instance, e.g. http://10.0.0.5:8080. */
  url: string;
  /** Headers of the browser's request the host needs (the device cookie). */
  headers: Record<string, string>;
  maxPayload: number;
}

/**
 * Pipes a browser's signaling socket to the instance that hosts its room, frame for frame.
 * Resolves once the hosting instance accepted the connection or refused it outright: `refused`
 * means nothing listens there (the instance is gone), so the caller may place the room again.
 */
export function relay(browser: WebSocket, early: Array<{ data: RawData; isBinary: boolean }>, target: RelayTarget): Promise<'open' | 'refused'> {
  const upstream = new WebSocket(`${target.url.replace(/^http/, 'ws')}/rtc/ws`, { headers: target.headers, maxPayload: target.maxPayload, handshakeTimeout: 5000 });
  const pending = [...early];
  // Neither side may make the relay hold frames without bound: a side that does not read is dropped.
  const drop = () => {
    browser.terminate();
    upstream.terminate();
  };
  const toHost = (data: RawData, isBinary: boolean) => {
    if (upstream.readyState === WebSocket.OPEN) {
      if (upstream.bufferedAmount > RELAY_MAX_BACKLOG) return drop();
      upstream.send(data, { binary: isBinary });
    } else if (pending.length >= MAX_PENDING_FRAMES) drop();
    else pending.push({ data, isBinary });
  };
  browser.on('message', toHost);
  // The host reads the browser's close code (a leave, a reload's 4010, a vanished page's 1006), so it is passed on:
  // a relayed page that leaves must not look like one that dropped and is given the reconnect grace.
  browser.on('close', (code, reason) => {
    if (upstream.readyState !== WebSocket.OPEN || code === 1006) return upstream.terminate();
    upstream.close(code === 1005 ? 1000 : code, reason);
  });
  upstream.on('message', (data, isBinary) => {
    if (browser.readyState !== WebSocket.OPEN) return;
    if (browser.bufferedAmount > RELAY_MAX_BACKLOG) return drop();
    browser.send(data, { binary: isBinary });
  });
  let refused = false;
  return new Promise((resolve) => {
    upstream.on('open', () => {
      for (const frame of pending.splice(0)) upstream.send(frame.data, { binary: frame.isBinary });
      resolve('open');
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && upstream.readyState !== WebSocket.OPEN) {
        refused = true;
        browser.off('message', toHost);
        resolve('refused');
      }
    });
    upstream.on('close', (code, reason) => {
      resolve('open');
      if (refused || browser.readyState !== WebSocket.OPEN) return;
      if (isFinal(code)) browser.close(code, reason.toString());
      else browser.close(RECONNECT_CODE, 'the room is moving');
    });
  });
}
