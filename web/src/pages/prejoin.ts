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
  const meter = h('div', { class: 'meter', role: 'meter', 'aria-label': 'Microphone level', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'data-testid': 'mic-level' }, meterFill);

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
    placeholder: 'Your name',
    required: true,
    value: options.name || loadPreferences().name,
  });
  const nameError = h('p', { class: 'field-error', id: 'display-name-error', role: 'alert' });
  const problem = h('div', { class: 'media-message', 'data-testid': 'media-message', role: 'status', hidden: true });
  const enter = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'enter-room-button' }, 'Join now');
  const pickers = devicePickers(media, (deviceId) => savePreferences({ speakerDeviceId: deviceId }));

  const form = h(
    'form',
    { class: 'prejoin-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'display-name' }, 'Your name'), nameInput, nameError),
    pickers.el,
    problem,
    enter,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim().slice(0, NAME_MAX);
    if (!name) {
      nameError.textContent = 'Enter the name the others will see.';
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
    paintToggle(micButton, { on: media.micOn, unavailable: !media.audioTrack && !!media.micProblem, what: 'microphone', onIcon: ICONS.mic, offIcon: ICONS.micOff });
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
    h('header', { class: 'page-header' }, brand()),
    h(
      'div',
      { class: 'prejoin-layout' },
      h(
        'section',
        { class: 'preview', 'aria-label': 'Your camera preview' },
        h('div', { class: 'preview-frame' }, video, avatar, cameraState, h('div', { class: 'preview-controls' }, micButton, camButton)),
        h('div', { class: 'meter-row' }, icon(ICONS.mic, 'icon icon-sm'), meter),
      ),
      h(
        'section',
        { class: 'card prejoin-card', 'aria-labelledby': 'prejoin-heading' },
        h('p', { class: 'eyebrow' }, 'Ready to join?'),
        h('h1', { id: 'prejoin-heading', class: 'meeting-title' }, options.title || 'Meeting'),
        h(
          'p',
          { class: 'meeting-meta' },
          `Room ${formatRoomCode(options.roomCode)}`,
          options.role === 'host' ? h('span', { class: 'chip chip-host' }, icon(ICONS.host, 'icon icon-sm'), 'You’ll join as host') : null,
        ),
        form,
      ),
    ),
  );
  return {
    el,
    title: `${options.title || 'Meeting'} · Ready to join`,
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
      return 'Camera is off';
    case 'denied':
    case 'insecure':
      return 'Camera access is blocked';
    case 'notFound':
      return 'No camera found';
    case 'inUse':
      return 'The camera is in use by another app';
    default:
      return 'Camera unavailable';
  }
}
