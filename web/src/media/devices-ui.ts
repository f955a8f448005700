import { h } from '../dom';
import type { LocalMedia, MediaProblem } from './local-media';
import { savePreferences, loadPreferences } from '../session';
import { t } from '../i18n/i18n.js';

/** Whether this browser can route audio to a chosen output device. */
export const canPickSpeaker = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

export interface DevicePickers {
  el: HTMLElement;
  refresh(): Promise<void>;
  dispose(): void;
}

/**
 * Microphone, camera and (where supported) speaker pickers bound to a LocalMedia. Choices are
 * remembered; `onSpeaker` applies a new output device.
 */
export function devicePickers(media: LocalMedia, onSpeaker: (deviceId: string) => void): DevicePickers {
  const mic = select('mic-select', t('devices.microphone'));
  const camera = select('camera-select', t('devices.camera'));
  const speaker = select('speaker-select', t('devices.speaker'));
  const el = h('div', { class: 'device-pickers' }, mic.field, camera.field, canPickSpeaker ? speaker.field : null);

  mic.input.addEventListener('change', () => {
    savePreferences({ micDeviceId: mic.input.value });
    void media.useMic(mic.input.value);
  });
  camera.input.addEventListener('change', () => {
    savePreferences({ cameraDeviceId: camera.input.value });
    void media.useCamera(camera.input.value);
  });
  speaker.input.addEventListener('change', () => {
    savePreferences({ speakerDeviceId: speaker.input.value });
    onSpeaker(speaker.input.value);
  });

  const refresh = async () => {
    const lists = await media.devices().catch(() => ({ mics: [], cameras: [], speakers: [] }));
    fill(mic.input, lists.mics, media.audioTrack?.getSettings().deviceId ?? media.micDeviceId, emptyText('mic', media.micProblem));
    fill(camera.input, lists.cameras, media.videoTrack?.getSettings().deviceId ?? media.cameraDeviceId, emptyText('camera', media.cameraProblem));
    fill(speaker.input, lists.speakers, loadPreferences().speakerDeviceId, t('devices.systemDefault'));
  };
  const offChange = media.onChange(() => void refresh());
  navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
  void refresh();
  return {
    el,
    refresh,
    dispose() {
      offChange();
      navigator.mediaDevices?.removeEventListener?.('devicechange', refresh);
    },
  };
}

function select(testid: string, label: string): { field: HTMLElement; input: HTMLSelectElement } {
  const id = `${testid}-${Math.random().toString(36).slice(2, 8)}`;
  const input = h('select', { id, class: 'input select', 'data-testid': testid });
  return { field: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

function fill(input: HTMLSelectElement, devices: MediaDeviceInfo[], current: string | undefined, empty: string): void {
  if (input === document.activeElement && input.options.length === devices.length) return;
  input.replaceChildren();
  if (devices.length === 0) {
    input.append(h('option', { value: '' }, empty));
    input.disabled = true;
    return;
  }
  input.disabled = false;
  devices.forEach((device, index) => {
    const name = device.label || t('devices.numbered', { kind: kindName(device.kind), count: index + 1 });
    input.append(h('option', { value: device.deviceId }, name));
  });
  if (current && devices.some((d) => d.deviceId === current)) input.value = current;
}

/** Without access the browser lists no devices, which is not the same as having none. */
function emptyText(device: 'mic' | 'camera', problem: MediaProblem | null): string {
  if (problem === 'denied' || problem === 'insecure') return device === 'camera' ? t('devices.cameraBlocked') : t('devices.micBlocked');
  return device === 'camera' ? t('devices.noCamera') : t('devices.noMic');
}

function kindName(kind: MediaDeviceKind): string {
  return kind === 'audioinput' ? t('devices.microphone') : kind === 'videoinput' ? t('devices.camera') : t('devices.speaker');
}
