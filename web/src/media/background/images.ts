import type { BackgroundImageId } from './choice.js';

// The bundled backgrounds: small gradients made for vconf with ffmpeg's `gradients` source, so
// nothing here is anyone else's picture. Vite gives each a hashed URL on vconf's own origin.
const URLS: Record<BackgroundImageId, string> = {
  dawn: new URL('./images/dawn.jpg', import.meta.url).href,
  lagoon: new URL('./images/lagoon.jpg', import.meta.url).href,
  studio: new URL('./images/studio.jpg', import.meta.url).href,
};

export function backgroundImageUrl(id: BackgroundImageId): string {
  return URLS[id];
}

const loaded = new Map<BackgroundImageId, Promise<HTMLImageElement>>();

/** The decoded image, loaded once per page. */
export function loadBackgroundImage(id: BackgroundImageId): Promise<HTMLImageElement> {
  let image = loaded.get(id);
  if (!image) {
    const img = new Image();
    img.src = URLS[id];
    image = img.decode().then(() => img);
    image.catch(() => loaded.delete(id));
    loaded.set(id, image);
  }
  return image;
}
