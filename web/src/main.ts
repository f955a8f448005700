import './styles/tokens.css';
import './styles/base.css';
import './pages/page.css';
import { declineCall, fetchMe, listenForCalls, signIn, signOut } from './account';
import { dismissIncomingCall, showIncomingCall } from './incoming-call';
import { mePage } from './pages/me';
import { signInPage } from './pages/signin';
import { admit, AdmitError, type AdmitRequest } from './api';
import { parseBackgroundChoice } from './media/background/choice';
import { LocalMedia } from './media/local-media';
import { joinPage } from './pages/join';
import type { Page } from './pages/page';
import { prejoinPage } from './pages/prejoin';
import { statusPage, type StatusKind } from './pages/status';
import { roomPage, type ExitReason } from './room/room';
import { forgetSession, loadPreferences, saveSession, sessionForRoom, updateSession, type StoredSession } from './session';
import { onLocaleChange, t } from './i18n/i18n.js';
import { admitErrorText, errorText } from './i18n/errors.js';

// The single-page app behind /app (the meeting link) and /join (room code + passcode).

const root = document.getElementById('app')!;
let current: Page | null = null;
/** Makes the current page again, in another language; none for the room (it reloads instead). */
let remake: (() => Page) | null = null;
/** True while a page is being made again in another language: what it holds moves on. */
let relocalizing = false;

function show(page: Page, again: (() => Page) | null = null): void {
  current?.dispose?.();
  current = page;
  remake = again;
  root.replaceChildren(page.el);
  document.title = page.title;
  if (relocalizing) {
    // The person was at the language picker: keep them there.
    page.el.querySelector<HTMLElement>('[data-testid="language-select"]')?.focus({ preventScroll: true });
    return;
  }
  window.scrollTo(0, 0);
  page.focus?.focus({ preventScroll: true });
}

/** Shows a page that can be made again when the language changes. */
function display(make: () => Page): void {
  show(make(), make);
}

onLocaleChange(() => {
  if (!remake) return;
  relocalizing = true;
  try {
    display(remake);
  } finally {
    relocalizing = false;
  }
});

/** `message` overrides the page's own explanation; a function, so it is worded in the current language. */
function showStatus(kind: StatusKind, message?: () => string, onRejoin?: () => void, onKnock?: () => void): void {
  display(() => statusPage(kind, { ...(message ? { message: message() } : {}), ...(onRejoin ? { onRejoin } : {}), ...(onKnock ? { onKnock } : {}) }));
}

const STATUS_FOR_CODE: Record<string, StatusKind> = {
  meetingEnded: 'ended',
  removed: 'removed',
  linkInvalid: 'invalid-link',
  meetingLocked: 'locked',
  internalOnly: 'restricted',
  meetingCancelled: 'cancelled',
  notOpenYet: 'not-open',
};

/** /signin and /me: the signed-in directory user's pages (docs/sign-in.md). */
function showSignIn(notice?: () => string): void {
  display(() =>
    signInPage({
      ...(notice ? { notice: notice() } : {}),
      async onSubmit(fields) {
        await signIn(fields);
        // Sign-in on the way through DingTalk OAuth 2.0 or admin SSO (docs/sign-in.md): back there.
        const next = new URLSearchParams(location.search).get('next');
        if (next && /^\/oauth2\/(auth|sso)\?/.test(next)) {
          location.assign(next);
          return;
        }
        history.replaceState(null, '', '/me');
        // The socket opened before sign-in was refused (4401); open it again with the session.
        stopRinging?.();
        stopRinging = undefined;
        startRinging();
        await showMe();
      },
    }),
  );
}

async function showMe(): Promise<void> {
  const me = await fetchMe();
  if (!me) {
    history.replaceState(null, '', '/signin');
    return showSignIn();
  }
  display(() =>
    mePage(me, () => {
      void signOut().then(() => {
        stopRinging?.();
        stopRinging = undefined;
        history.replaceState(null, '', '/signin');
        showSignIn(() => t('signin.signedOut'));
      });
    }),
  );
}

let stopRinging: (() => void) | undefined;

/** While any vconf page is open, a signed-in user's invitations ring here. */
function startRinging(): void {
  if (stopRinging) return;
  // "My meetings" follows along: a new call or a decline changes its list.
  const refresh = () => (location.pathname.replace(/\/+$/, '') === '/me' ? showMe() : Promise.resolve());
  stopRinging = listenForCalls(
    (ring) => {
      showIncomingCall(ring, (id) => declineCall(id).then(refresh));
      void refresh();
    },
    dismissIncomingCall,
  );
}

function boot(): void {
  const path = location.pathname.replace(/\/+$/, '');
  if (path === '/signin') return showSignIn(new URLSearchParams(location.search).get('link') === 'invalid' ? () => t('signin.linkInvalid') : undefined);
  if (path === '/me') return void showMe();
  const params = new URLSearchParams(location.search);
  const roomCode = (params.get('roomCode') ?? '').replace(/\s/g, '');
  const token = params.get('token') ?? '';
  const existing = roomCode ? sessionForRoom(roomCode) : undefined;
  // A reload (or a return to the link) in this tab goes back to where it was, with no new admission.
  if (existing) return resume(existing);

  if (location.pathname.replace(/\/+$/, '') === '/app') {
    if (!roomCode) return showStatus('invalid-link');
    // A passcode joiner's address (no token) opened in another tab: ask for the passcode again.
    if (!token) return showJoin(roomCode);
    return void admitWith({ roomCode, token }, roomCode, token).catch((error: unknown) => {
      const failure = error instanceof AdmitError ? error : undefined;
      // Any other refusal of a link (a mangled room code, say) is an unusable link too.
      const kind = failure ? (STATUS_FOR_CODE[failure.code] ?? (failure.status >= 400 && failure.status < 500 ? 'invalid-link' : 'error')) : 'error';
      // A locked door may open later: "Try again" asks once more, "Ask to join" knocks.
      const knock = kind === 'locked' ? () => void admitWith({ roomCode, token, knock: true }, roomCode, token).catch(() => boot()) : undefined;
      showStatus(kind, failure ? () => admitErrorText(failure) : undefined, kind === 'locked' || kind === 'restricted' || kind === 'not-open' ? () => boot() : undefined, knock);
    });
  }
  showJoin(roomCode);
}

function showJoin(roomCode = '', notice?: () => string): void {
  display(() =>
    joinPage({
      roomCode,
      ...(notice ? { notice: notice() } : {}),
      async onSubmit(code, passcode) {
        try {
          await admitWith({ roomCode: code, passcode }, code);
        } catch (error) {
          // Ended or removed are whole-page answers; the rest are shown next to the form.
          const kind = error instanceof AdmitError ? STATUS_FOR_CODE[error.code] : undefined;
          const retry = kind === 'locked' || kind === 'restricted' ? () => showJoin(code) : undefined;
          const knock = kind === 'locked' ? () => void admitWith({ roomCode: code, passcode, knock: true }, code).catch(() => showJoin(code)) : undefined;
          if (kind && kind !== 'invalid-link') return showStatus(kind, () => admitErrorText(error as AdmitError), retry, knock);
          throw error;
        }
      },
    }),
  );
}

async function admitWith(request: AdmitRequest, roomCode: string, token?: string): Promise<void> {
  const admission = await admit(request);
  const session: StoredSession = { ...admission, roomCode, ...(token ? { token } : {}), ...(request.knock ? { knock: true } : {}) };
  saveSession(session);
  // The address now names the meeting, so a reload lands back here (and never re-sends a passcode).
  const query = new URLSearchParams({ roomCode, ...(token ? { token } : {}) });
  history.replaceState(null, '', `/app?${query}`);
  showPrejoin(session);
}

function resume(session: StoredSession): void {
  if (session.inRoom && session.name) return enterRoom(session, startMedia(session));
  showPrejoin(session);
}

function startMedia(session: StoredSession): LocalMedia {
  const prefs = loadPreferences();
  const media = new LocalMedia({
    mic: session.mic ?? true,
    camera: session.camera ?? true,
    ...(prefs.micDeviceId ? { micDeviceId: prefs.micDeviceId } : {}),
    ...(prefs.cameraDeviceId ? { cameraDeviceId: prefs.cameraDeviceId } : {}),
    background: parseBackgroundChoice(prefs.background),
    noiseSuppression: prefs.noiseSuppression ?? true,
  });
  void media.start();
  return media;
}

function showPrejoin(session: StoredSession): void {
  const media = startMedia(session);
  let entered = false;
  display(() => {
    const page = prejoinPage({
      title: session.title,
      roomCode: session.roomCode,
      role: session.role,
      name: session.name ?? '',
      media,
      onEnter(name) {
        entered = true;
        updateSession(session.conferenceId, { name, mic: media.micOn, camera: media.cameraOn });
        enterRoom({ ...session, name, mic: media.micOn, camera: media.cameraOn }, media);
      },
    });
    const dispose = page.dispose;
    // The media moves on into the room (or into this page in another language); only a page left
    // some other way releases the devices.
    return { ...page, dispose: () => (dispose?.(), entered || relocalizing ? undefined : media.close()) };
  });
}

function enterRoom(session: StoredSession, media: LocalMedia): void {
  show(
    roomPage({
      ticket: session.ticket,
      title: session.title,
      roomCode: session.roomCode,
      name: session.name ?? t('room.guest'),
      ...(session.participantId ? { participantId: session.participantId } : {}),
      ...(session.knock ? { knock: true } : {}),
      media,
      onWelcome: (participantId) => updateSession(session.conferenceId, { participantId, inRoom: true }),
      onMediaState: (state) => updateSession(session.conferenceId, state),
      onExit: (reason, error) => exitRoom(session, reason, error && (() => errorText(error.code, error.message) ?? t('status.error.body'))),
    }),
  );
}

function exitRoom(session: StoredSession, reason: ExitReason, message?: () => string): void {
  switch (reason) {
    case 'left': {
      // Keep the ticket: "Rejoin" goes back through the pre-join screen without a passcode.
      updateSession(session.conferenceId, { inRoom: false });
      const fresh = () => {
        const again = sessionForRoom(session.roomCode);
        if (again) showPrejoin(again);
        else showJoin(session.roomCode);
      };
      return showStatus('left', undefined, fresh);
    }
    case 'replaced': {
      // Another tab took this participant over; coming back here takes it over again.
      updateSession(session.conferenceId, { inRoom: false });
      const back = () => {
        const again = sessionForRoom(session.roomCode);
        if (again?.name) enterRoom(again, startMedia(again));
        else if (again) showPrejoin(again);
        else showJoin(session.roomCode);
      };
      return showStatus('replaced', undefined, back);
    }
    case 'refused':
      updateSession(session.conferenceId, { inRoom: false });
      return showStatus('error', message, () => {
        const again = sessionForRoom(session.roomCode);
        if (again) showPrejoin(again);
        else showJoin(session.roomCode);
      });
    case 'locked':
    case 'restricted': {
      // Refused at the door by the meeting's settings: the admission stays, the person may try again
      // or, at a locked meeting, ask the host to be let in.
      updateSession(session.conferenceId, { inRoom: false });
      const again = (knock: boolean) => () => {
        if (knock) updateSession(session.conferenceId, { knock: true });
        const stored = sessionForRoom(session.roomCode);
        if (stored) showPrejoin(stored);
        else showJoin(session.roomCode);
      };
      return showStatus(reason, message, again(false), reason === 'locked' ? again(true) : undefined);
    }
    case 'denied':
      updateSession(session.conferenceId, { inRoom: false, knock: false });
      return showStatus('denied');
    case 'kicked':
      // Removed, but allowed back: keep the session so Rejoin resumes the same participant.
      updateSession(session.conferenceId, { inRoom: false });
      return showStatus('removed', () => t('status.kicked.body'), () => {
        const again = sessionForRoom(session.roomCode);
        if (again) showPrejoin(again);
        else showJoin(session.roomCode);
      });
    case 'ended':
      forgetSession(session);
      return showStatus('ended', message);
    case 'removed':
      forgetSession(session);
      return showStatus('removed', message);
    case 'ticketInvalid':
      forgetSession(session);
      if (session.token) {
        history.replaceState(null, '', `/app?${new URLSearchParams({ roomCode: session.roomCode, token: session.token })}`);
        return boot();
      }
      history.replaceState(null, '', `/join?${new URLSearchParams({ roomCode: session.roomCode })}`);
      return showJoin(session.roomCode, () => t('join.sessionExpired'));
  }
}

window.addEventListener('popstate', () => boot());
boot();
// Anonymous pages get their call socket closed at once (4401); signed-in ones keep it.
startRinging();
