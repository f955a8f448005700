import Hls from 'hls.js/light';
import { t } from '../i18n/i18n.js';
import './player.css';

/**
 * vconf's recording player (served at /recordings/<mediaId>/play?t=…): plays the recording's HLS
 * playlist with the page's own link token. Chromium has no native HLS, so hls.js feeds the video
 * element through Media Source Extensions; Safari plays the playlist natively.
 */
const video = document.querySelector<HTMLVideoElement>('[data-testid="recording-player"]')!;
const status = document.querySelector<HTMLElement>('[data-testid="player-status"]')!;
const download = document.querySelector<HTMLAnchorElement>('[data-testid="download-mp4"]')!;
const token = new URLSearchParams(location.search).get('t') ?? '';
const base = location.pathname.replace(/\/play$/, '');
const playlist = `${base}/hls/index.m3u8?t=${encodeURIComponent(token)}`;
download.href = `${base}/video.mp4?t=${encodeURIComponent(token)}`;
document.title = t('player.title');
download.textContent = t('player.download');

function say(text: string): void {
  status.textContent = text;
}

if (Hls.isSupported()) {
  // No worker: the page's Content-Security-Policy allows no blob: scripts.
  const hls = new Hls({ enableWorker: false });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (data.fatal) say(t('player.failed'));
  });
  hls.loadSource(playlist);
  hls.attachMedia(video);
} else if (video.canPlayType('application/vnd.apple.mpegurl')) {
  video.src = playlist;
} else {
  say(t('player.unsupported'));
}
