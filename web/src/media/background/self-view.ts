import type { LocalMedia } from '../local-media.js';

const counting = new WeakSet<HTMLVideoElement>();

/**
 * States the background effect on a self-view <video>: data-background (the choice),
 * data-background-state (off, loading, ready, failed) and data-background-masks (person masks made so
 * far, refreshed as frames are shown). Harmless to the page; tests and support read them.
 */
export function markSelfView(video: HTMLVideoElement, media: LocalMedia): void {
  video.dataset.background = media.background;
  video.dataset.backgroundState = media.backgroundStatus;
  video.dataset.backgroundMasks = String(media.backgroundMasks);
  if (counting.has(video) || !('requestVideoFrameCallback' in video)) return;
  counting.add(video);
  const onFrame = () => {
    video.dataset.backgroundMasks = String(media.backgroundMasks);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
