import { h } from '../dom';
import './effects-ui.css';
import { savePreferences } from '../session';
import { BACKGROUND_IMAGES, type BackgroundChoice, type BackgroundImageId } from './background/choice';
import { backgroundImageUrl } from './background/images';
import type { LocalMedia } from './local-media';

export interface EffectsPanel {
  el: HTMLElement;
  dispose(): void;
}

const IMAGE_NAMES: Record<BackgroundImageId, string> = { dawn: 'Dawn', lagoon: 'Lagoon', studio: 'Studio' };

/**
 * Background (off, blur, a bundled picture) and noise suppression, bound to a LocalMedia; both
 * choices are remembered for the next meeting.
 */
export function effectsPanel(media: LocalMedia): EffectsPanel {
  const name = `background-${Math.random().toString(36).slice(2, 8)}`;
  const options: { value: BackgroundChoice; label: string; face: HTMLElement }[] = [
    { value: 'off', label: 'None', face: h('span', { class: 'bg-face bg-face-off', 'aria-hidden': 'true' }) },
    { value: 'blur', label: 'Blur', face: h('span', { class: 'bg-face bg-face-blur', 'aria-hidden': 'true' }) },
    ...BACKGROUND_IMAGES.map((id) => ({
      value: `image:${id}` as const,
      label: IMAGE_NAMES[id],
      face: h('img', { class: 'bg-face', src: backgroundImageUrl(id), alt: '', 'aria-hidden': 'true' }),
    })),
  ];
  const radios = options.map(({ value, label, face }) => {
    const input = h('input', { type: 'radio', name, value, class: 'bg-radio', 'data-testid': 'background-option' });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      savePreferences({ background: value });
      media.setBackground(value);
    });
    return { input, el: h('label', { class: 'bg-option' }, input, face, h('span', { class: 'bg-label' }, label)) };
  });
  const status = h('p', { class: 'hint', role: 'status', 'data-testid': 'background-status' });

  const noise = h('input', { type: 'checkbox', id: `${name}-noise`, class: 'switch', 'data-testid': 'noise-suppression-toggle' });
  noise.addEventListener('change', () => {
    savePreferences({ noiseSuppression: noise.checked });
    void media.setNoiseSuppression(noise.checked);
  });

  const el = h(
    'div',
    { class: 'effects' },
    h('fieldset', { class: 'bg-picker' }, h('legend', { class: 'bg-legend' }, 'Background'), h('div', { class: 'bg-options' }, radios.map((r) => r.el)), status),
    h(
      'div',
      { class: 'switch-field' },
      noise,
      h('label', { for: noise.id }, 'Noise suppression', h('span', { class: 'hint' }, 'Filters out steady noise such as fans and typing.')),
    ),
  );

  const render = () => {
    for (const radio of radios) radio.input.checked = radio.input.value === media.background;
    noise.checked = media.noiseSuppression;
    status.textContent = statusText(media);
  };
  const offChange = media.onChange(render);
  render();
  return { el, dispose: offChange };
}

function statusText(media: LocalMedia): string {
  if (media.background === 'off') return '';
  if (!media.cameraOn) return 'Applies when your camera is on.';
  switch (media.backgroundStatus) {
    case 'loading':
      return 'Preparing the background…';
    case 'failed':
      return 'Background effects could not start in this browser, so your whole picture is blurred.';
    default:
      return '';
  }
}
