import { h } from '../dom.js';
import { onLocaleChange, t, type MessageKey } from '../i18n/i18n.js';
import { savePreferences } from '../session.js';
import { BACKGROUND_IMAGES, type BackgroundChoice } from './background/choice.js';
import { backgroundImageUrl } from './background/images.js';
import type { LocalMedia } from './local-media.js';
import './effects-ui.css';

export interface EffectsPanel {
  el: HTMLElement;
  dispose(): void;
}

/** This panel's sentences: none takes a parameter. */
type EffectsKey = Extract<MessageKey, `effects.${string}`>;

interface Option {
  value: BackgroundChoice;
  label: EffectsKey;
  face: HTMLElement;
}

/**
 * Background (off, blur, a bundled picture) and noise suppression, bound to a LocalMedia; both
 * choices are remembered for the next meeting.
 */
export function effectsPanel(media: LocalMedia): EffectsPanel {
  const name = `background-${Math.random().toString(36).slice(2, 8)}`;
  const options: Option[] = [
    { value: 'off', label: 'effects.background.off', face: h('span', { class: 'bg-face bg-face-off', 'aria-hidden': 'true' }) },
    { value: 'blur', label: 'effects.background.blur', face: h('span', { class: 'bg-face bg-face-blur', 'aria-hidden': 'true' }) },
    ...BACKGROUND_IMAGES.map((id) => ({
      value: `image:${id}` as const,
      label: `effects.background.${id}` as const,
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
    const text = h('span', { class: 'bg-label' });
    return { input, label, text, el: h('label', { class: 'bg-option' }, input, face, text) };
  });
  const legend = h('legend', { class: 'bg-legend' });
  const status = h('p', { class: 'hint', role: 'status', 'data-testid': 'background-status' });

  const noise = h('input', { type: 'checkbox', id: `${name}-noise`, class: 'switch', 'data-testid': 'noise-suppression-toggle' });
  noise.addEventListener('change', () => {
    savePreferences({ noiseSuppression: noise.checked });
    void media.setNoiseSuppression(noise.checked);
  });
  const noiseLabel = h('span');
  const noiseHint = h('span', { class: 'hint' });

  const el = h(
    'div',
    { class: 'effects' },
    h('fieldset', { class: 'bg-picker' }, legend, h('div', { class: 'bg-options' }, radios.map((r) => r.el)), status),
    h('div', { class: 'switch-field' }, noise, h('label', { for: noise.id }, noiseLabel, noiseHint)),
  );

  const render = () => {
    legend.textContent = t('effects.background');
    for (const radio of radios) {
      radio.input.checked = radio.input.value === media.background;
      radio.text.textContent = t(radio.label);
    }
    noise.checked = media.noiseSuppression;
    noiseLabel.textContent = t('effects.noise');
    noiseHint.textContent = t('effects.noise.hint');
    const key = statusKey(media);
    status.textContent = key ? t(key) : '';
  };
  const offChange = media.onChange(render);
  const offLocale = onLocaleChange(render);
  render();
  return {
    el,
    dispose() {
      offChange();
      offLocale();
    },
  };
}

function statusKey(media: LocalMedia): EffectsKey | null {
  if (media.background === 'off') return null;
  if (!media.cameraOn) return 'effects.status.cameraOff';
  switch (media.backgroundStatus) {
    case 'loading':
      return 'effects.status.loading';
    case 'failed':
      return 'effects.status.failed';
    default:
      return null;
  }
}
