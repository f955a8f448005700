import { paintToggle } from '../controls';
import { h, icon, initials } from '../dom';
import { ICONS } from '../icons';
import { LevelMonitor } from '../media/audio-level';
import { devicePickers } from '../media/devices-ui';
import { describeProblems, isMissing, type LocalMedia, type MediaProblem } from '../media/local-media';
import type { Role } from '../../../src/protocol/room.js';
import { loadPreferences, savePreferences } from '../session';
import { brand, formatRoomCode } from './brand';
import type { Page } from './page';
import './prejoin.css';
import { t } from '../i18n/i18n.js';
import { languagePicker } from './language-picker';

export interface PrejoinOptions {
  title: string;
  roomCode: string;
  role: Role;
  name: string;
  media: LocalMedia;
  onEnter(name: string): void;
}

const NAME_MAX = 64;

/** Camera preview, mic meter, device pickers, mic/camera on-off and the display name. */
export function prejoinPage(options: PrejoinOptions): Page {
  const { media } = options;
  const video = h('video', { class: 'preview-video mirrored', autoplay: true, playsinline: true, 'data-testid': 'preview-video' });
  video.muted = true;
  const avatar = h('div', { class: 'preview-avatar', 'aria-hidden': 'true' });
  const cameraState = h('p', { class: 'preview-state' });
  const meterFill = h('div', { class: 'meter-fill' });
  const meter = h('div', { class: 'meter', role: 'meter', 'aria-label': t('prejoin.micLevel'), 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'data-testid': 'mic-level' }, meterFill);

  const micButton = h('button', { type: 'button', class: 'round-btn', 'data-testid': 'mic-toggle' });
  const camButton = h('button', { type: 'button', class: 'round-btn', 'data-testid': 'camera-toggle' });
  micButton.addEventListener('click', () => void media.setMic(!media.micOn));
  camButton.addEventListener('click', () => void media.setCamera(!media.cameraOn));

  const nameInput = h('input', {
    id: 'display-name',
    class: 'input',
    'data-testid': 'display-name-input',
    autocomplete: 'name',
    maxlength: String(NAME_MAX),
    placeholder: t('prejoin.name'),
    required: true,
    value: options.name || loadPreferences().name,
  });
  const nameError = h('p', { class: 'field-error', id: 'display-name-error', role: 'alert' });
  const problem = h('div', { class: 'media-message', 'data-testid': 'media-message', role: 'status', hidden: true });
  const enter = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'enter-room-button' }, t('prejoin.joinNow'));
  const pickers = devicePickers(media, (deviceId) => savePreferences({ speakerDeviceId: deviceId }));

  const form = h(
    'form',
    { class: 'prejoin-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'display-name' }, t('prejoin.name')), nameInput, nameError),
    problem,
    // "Join now" before the device pickers: on a phone it is on the first screen, and the keyboard
    // reaches it in the order it is seen.
    enter,
    pickers.el,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim().slice(0, NAME_MAX);
    if (!name) {
      nameError.textContent = t('prejoin.nameMissing');
      nameInput.setAttribute('aria-invalid', 'true');
      nameInput.setAttribute('aria-describedby', 'display-name-error');
      nameInput.focus();
      return;
    }
    savePreferences({ name });
    enter.disabled = true;
    options.onEnter(name);
  });
  nameInput.addEventListener('input', () => {
    nameError.textContent = '';
    nameInput.removeAttribute('aria-invalid');
    avatar.textContent = initials(nameInput.value || '?');
  });

  const monitor = new LevelMonitor((level) => {
    meterFill.style.transform = `scaleX(${level.toFixed(3)})`;
  });

  const render = () => {
    monitor.setTrack(media.audioTrack);
    const stream = video.srcObject as MediaStream | null;
    if (media.videoTrack && stream?.getVideoTracks()[0] !== media.videoTrack) video.srcObject = new MediaStream([media.videoTrack]);
    if (!media.videoTrack) video.srcObject = null;
    const showVideo = media.cameraOn && !!media.videoTrack;
    video.hidden = !showVideo;
    avatar.hidden = showVideo;
    avatar.textContent = initials(nameInput.value || '?');
    cameraState.textContent = showVideo ? '' : cameraText(media.cameraProblem);
    paintToggle(micButton, { on: media.micOn, unavailable: !media.audioTrack && !!media.micProblem, what: 'mic', onIcon: ICONS.mic, offIcon: ICONS.micOff });
    paintToggle(camButton, { on: media.cameraOn, unavailable: !media.videoTrack && isMissing(media.cameraProblem), what: 'camera', onIcon: ICONS.camera, offIcon: ICONS.cameraOff });
    meter.classList.toggle('is-off', !media.micOn);
    const text = describeProblems(media.micProblem, media.cameraProblem);
    problem.hidden = !text;
    problem.replaceChildren(...(text ? [icon(ICONS.alert), h('p', {}, text)] : []));
  };
  const offChange = media.onChange(render);
  render();

  const el = h(
    'main',
    { class: 'page page-prejoin', 'data-testid': 'page-prejoin' },
    h('header', { class: 'page-header' }, brand(), languagePicker({ compact: true })),
    h(
      'div',
      { class: 'prejoin-layout' },
      h(
        'section',
        { class: 'preview', 'aria-label': t('prejoin.preview') },
        h('div', { class: 'preview-frame' }, video, avatar, cameraState, h('div', { class: 'preview-controls' }, micButton, camButton)),
        h('div', { class: 'meter-row' }, icon(ICONS.mic, 'icon icon-sm'), meter),
      ),
      h(
        'section',
        { class: 'card prejoin-card', 'aria-labelledby': 'prejoin-heading' },
        h('p', { class: 'eyebrow' }, t('prejoin.eyebrow')),
        h('h1', { id: 'prejoin-heading', class: 'meeting-title' }, options.title || t('room.untitled')),
        h(
          'p',
          { class: 'meeting-meta' },
          t('prejoin.room', { code: formatRoomCode(options.roomCode) }),
          options.role === 'host' ? h('span', { class: 'chip chip-host' }, icon(ICONS.host, 'icon icon-sm'), t('prejoin.asHost')) : null,
        ),
        form,
      ),
    ),
  );
  return {
    el,
    title: t('prejoin.documentTitle', { title: options.title || t('room.untitled') }),
    focus: nameInput.value ? enter : nameInput,
    dispose() {
      offChange();
      monitor.close();
      pickers.dispose();
      video.srcObject = null;
    },
  };
}

function cameraText(problem: MediaProblem | null): string {
  switch (problem) {
    case null:
      return t('prejoin.cameraOff');
    case 'denied':
    case 'insecure':
      return t('prejoin.cameraBlocked');
    case 'notFound':
      return t('prejoin.cameraNotFound');
    case 'inUse':
      return t('prejoin.cameraInUse');
    default:
      return t('prejoin.cameraUnavailable');
  }
}
