/**
 * Issue 10 §2–§5 in real Chromium: the host's tools in the room act on the other pages and share one
 * state with the Open API (read and changed through the official SDK); a locked meeting's knock is
 * let in (and another turned away); remove and end ask first; the invite panel copies; hands go up
 * in order and the host lowers one; reactions reach others; keyboard shortcuts and their help;
 * pin, the meeting timer and the "you're muted" hint. One meeting, four people.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { packageRoot } from '../../src/paths.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newParticipant } from '../../tools/chromium.js';
import type { TestServer } from '../support/server.js';
import { $conference, conferenceClient, confHeaders, runtime } from '../support/sdk.js';
import { closeWorld, openWorld } from './support/world.js';
import { enterRoom, eventually, localParticipantId, remoteTileIds, submitCode } from './support/room.js';
import { requires } from '../support/requirements.js';

const ready = await requires(import.meta.url, 'chromium');

let server: TestServer;
let browser: Browser;
let token: string;

const sdk = () => conferenceClient(server.endpoint);
const h = () => confHeaders(token);

type Created = { conferenceId: string; roomCode: string; externalLinkUrl: string; hostPassword: string; conferencePassword: string };

/** VCONF_WRITE_SCREENSHOTS=1 refreshes the README's pictures of the invite panel and the waiting room. */
const shoot = async (page: Page, name: string) => {
  if (process.env.VCONF_WRITE_SCREENSHOTS) await page.screenshot({ path: join(packageRoot, 'docs', 'screenshots', name) });
};
const tileOf = (page: Page, id: string) => page.locator(`[data-testid="participant-tile"][data-participant-id="${id}"]`);
/** An attribute of the first element matching `selector`, or null when there is none (no waiting). */
const attr = (page: Page, selector: string, name: string) => page.evaluate(([sel, n]) => document.querySelector(sel!)?.getAttribute(n!) ?? null, [selector, name]);
const handOf = (page: Page, id: string) => attr(page, `[data-testid="participant-tile"][data-participant-id="${id}"] [data-testid="hand-indicator"]`, 'data-order');
const rowOf = (page: Page, id: string) => page.locator(`[data-testid="participant-row"][data-participant-id="${id}"]`);

describe.skipIf(!ready)('the room for real organizations: host tools, waiting room, invite, etiquette', () => {
  let m: Created;
  let ann: Page;
  let annContext: BrowserContext;
  let ben: Page;
  let annId: string;
  let benId: string;

  beforeAll(async () => {
    ({ server, browser, token } = await openWorld());
    const res = await sdk().createVideoConferenceWithOptions(new $conference.CreateVideoConferenceRequest({ userId: 'uA1', confTitle: 'Host tools in Chromium' }), h(), runtime());
    m = res.body as Created;
    const [a, b] = await Promise.all([newParticipant(browser), newParticipant(browser)]);
    ann = a.page;
    annContext = a.context;
    ben = b.page;
    await annContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    // Ann runs the meeting with the host passcode; Ben comes by the link.
    await submitCode(ann, server.url, m.roomCode, m.hostPassword);
    await enterRoom(ann, 'Ann');
    await ben.goto(m.externalLinkUrl);
    await enterRoom(ben, 'Ben');
    [annId, benId] = await Promise.all([localParticipantId(ann), localParticipantId(ben)]);
    await eventually(() => remoteTileIds(ann), (ids) => ids.includes(benId));
  });
  afterAll(async () => closeWorld({ server, browser }));
  // A failed step must not leave a modal dialog blocking the next test's clicks.
  afterEach(async () => {
    for (const page of [ann, ben]) await page?.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => (d as HTMLDialogElement).close())).catch(() => undefined);
  });

  it('mute all from the room mutes Ben and holds him; UpdateVideoConferenceSetting muteAll:false through the SDK lifts it on his page', async () => {
    expect(await ben.getByTestId('mic-toggle').getAttribute('data-on')).toBe('true');
    await ann.getByTestId('host-tools-button').click();
    await ann.getByTestId('allow-unmute-self').uncheck();
    await ann.getByTestId('mute-all-button').click();
    await eventually(() => ben.getByTestId('mic-toggle').getAttribute('data-on'), (v) => v === 'false', 10_000);
    await eventually(() => ben.getByTestId('mic-toggle').getAttribute('data-locked'), (v) => v === 'true', 10_000);
    // The host is spared.
    expect(await ann.getByTestId('mic-toggle').getAttribute('data-on')).toBe('true');
    // One state: the API lifts what the room set, and the page follows.
    await sdk().updateVideoConferenceSettingWithOptions(m.conferenceId, new $conference.UpdateVideoConferenceSettingRequest({ muteAll: false }), h(), runtime());
    await eventually(() => ben.getByTestId('mic-toggle').getAttribute('data-locked'), (v) => v === 'false', 10_000);
    expect(await ben.getByTestId('mic-toggle').isDisabled()).toBe(false);
    await ann.keyboard.press('Escape');
  });

  it('co-host from the room is coHost:true in QueryConferenceMembers; spotlight from the room shows Ben large on his page', async () => {
    await ann.getByTestId('participants-toggle').click();
    await rowOf(ann, benId).getByTestId('cohost-toggle').click();
    await rowOf(ann, benId).getByTestId('cohost-chip').waitFor({ timeout: 3000 });
    const members = await sdk().queryConferenceMembersWithOptions(m.conferenceId, new $conference.QueryConferenceMembersRequest({}), h(), runtime());
    expect(members.body!.memberModels!.find((x) => x.userNick === 'Ben')?.coHost).toBe(true);
    await rowOf(ann, benId).getByTestId('cohost-toggle').click();
    await eventually(() => rowOf(ann, benId).getByTestId('cohost-chip').count(), (n) => n === 0, 10_000);

    await rowOf(ann, benId).getByTestId('spotlight-toggle').click();
    await eventually(() => ben.getAttribute('[data-testid="spotlight"]', 'data-participant-id'), (id) => id === benId, 10_000);
    await rowOf(ann, benId).getByTestId('spotlight-toggle').click();
    await eventually(() => ben.getByTestId('spotlight').isHidden(), (hidden) => hidden, 10_000);
    await ann.getByTestId('participants-toggle').click();
  });

  it('locked from the room: a newcomer asks to join, the host admits her and she enters without typing again; another is denied and told; unlock', async () => {
    await ann.getByTestId('host-tools-button').click();
    await ann.getByTestId('lock-toggle').click();
    await eventually(() => ann.getByTestId('lock-toggle').getAttribute('data-on'), (v) => v === 'true', 10_000);
    await ann.keyboard.press('Escape');
    await ben.getByTestId('locked-indicator').waitFor({ timeout: 3000 });

    // Dee's page opens at the locked door meanwhile; she knocks only after Cy is in.
    const deeAtDoor = newParticipant(browser).then(async (dee) => {
      await dee.page.goto(m.externalLinkUrl);
      await dee.page.getByTestId('page-locked').waitFor({ timeout: 10_000 });
      return dee;
    });
    deeAtDoor.catch(() => undefined); // awaited below
    const cy = await newParticipant(browser);
    await cy.page.goto(m.externalLinkUrl);
    await cy.page.getByTestId('page-locked').waitFor({ timeout: 10_000 });
    await cy.page.getByTestId('knock-button').click();
    await enterRoom(cy.page, 'Cy').catch(() => undefined);
    await cy.page.getByTestId('page-waiting').waitFor({ state: 'visible', timeout: 10_000 });
    const row = ann.getByTestId('knock-row');
    await row.waitFor({ timeout: 5000 });
    await shoot(cy.page, 'waiting-room.png');
    await shoot(ann, 'knock.png');
    expect(await row.innerText()).toContain('Cy');
    await row.getByTestId('admit-knock').click();
    await eventually(() => cy.page.getByTestId('page-waiting').isHidden(), (hidden) => hidden, 10_000);
    const cyId = await localParticipantId(cy.page);
    await eventually(() => remoteTileIds(ann), (ids) => ids.includes(cyId), 10_000);
    const dee = await deeAtDoor;
    await dee.page.getByTestId('knock-button').click();
    await enterRoom(dee.page, 'Dee').catch(() => undefined);
    await dee.page.getByTestId('page-waiting').waitFor({ state: 'visible', timeout: 10_000 });
    await ann.getByTestId('knock-row').getByTestId('deny-knock').click();
    await dee.page.getByTestId('page-denied').waitFor({ timeout: 5000 });
    expect(await dee.page.getByTestId('page-room').count()).toBe(0);
    await dee.context.close();

    await ann.getByTestId('host-tools-button').click();
    await ann.getByTestId('lock-toggle').click();
    await eventually(() => ben.getByTestId('locked-indicator').isHidden(), (hidden) => hidden, 10_000);
    await ann.keyboard.press('Escape');
    // Remove asks first: one click does nothing, cancel keeps Cy, confirm removes her.
    await ann.getByTestId('participants-toggle').click();
    await rowOf(ann, cyId).getByTestId('remove-participant').click();
    await ann.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await cy.page.getByTestId('page-room').count()).toBe(1);
    await ann.getByTestId('confirm-cancel').click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await cy.page.getByTestId('page-room').count()).toBe(1);
    await rowOf(ann, cyId).getByTestId('remove-participant').click();
    await ann.getByTestId('confirm-accept').click();
    await cy.page.getByTestId('page-removed').waitFor({ timeout: 5000 });
    await ann.getByTestId('participants-toggle').click();
    await cy.context.close();
  }, 90_000);

  it('the invite panel shows the link, room code and passcode, the host passcode only when asked; copy puts the link on the clipboard; the timer runs', async () => {
    await ann.getByTestId('invite-button').click();
    expect(await ann.getByTestId('invite-link').innerText()).toBe(m.externalLinkUrl);
    expect((await ann.getByTestId('invite-room-code').innerText()).replace(/\s/g, '')).toBe(m.roomCode);
    expect(await ann.getByTestId('invite-passcode').innerText()).toBe(m.conferencePassword);
    expect(await ann.getByTestId('invite-host-passcode').count()).toBe(0);
    await ann.getByTestId('show-host-passcode').click();
    expect(await ann.getByTestId('invite-host-passcode').innerText()).toBe(m.hostPassword);
    await shoot(ann, 'invite-panel.png');
    await ann.getByTestId('copy-link').click();
    await eventually(() => ann.evaluate(() => navigator.clipboard.readText()), (text) => text === m.externalLinkUrl, 10_000);
    await ann.keyboard.press('Escape');
    // A participant is never sent the host passcode.
    await ben.getByTestId('invite-button').click();
    expect(await ben.getByTestId('invite-passcode').innerText()).toBe(m.conferencePassword);
    expect(await ben.getByTestId('show-host-passcode').count()).toBe(0);
    await ben.keyboard.press('Escape');
    expect(await ann.getByTestId('meeting-timer').innerText()).toMatch(/^\d{2}:\d{2}$/);
  });

  it('hands: Ben then Ann raise theirs, the host sees the order and lowers Ben’s; reactions reach the others', async () => {
    await ben.getByTestId('raise-hand-toggle').click();
    await eventually(() => handOf(ann, benId), (v) => v === '1', 10_000);
    await ann.keyboard.press('h');
    await eventually(() => handOf(ben, annId), (v) => v === '2', 10_000);
    await ann.getByTestId('participants-toggle').click();
    await rowOf(ann, benId).getByTestId('lower-hand').click();
    await eventually(() => ben.getByTestId('raise-hand-toggle').getAttribute('data-on'), (v) => v === 'false', 10_000);
    await eventually(() => handOf(ann, annId), (v) => v === '1', 10_000);
    await ann.getByTestId('participants-toggle').click();

    await ben.getByTestId('reactions-button').click();
    await ben.locator('[data-testid="reaction-option"][data-emoji="👏"]').click();
    await tileOf(ann, benId).locator('[data-testid="reaction"][data-emoji="👏"]').waitFor({ timeout: 3000 });
  });

  it('keyboard shortcuts toggle the microphone and camera, and the help dialog lists them; muted, speaking shows the hint; pin is one page’s choice', async () => {
    const mic = () => ben.getByTestId('mic-toggle').getAttribute('data-on');
    const cam = () => ben.getByTestId('camera-toggle').getAttribute('data-on');
    await ben.locator('body').click({ position: { x: 5, y: 5 } });
    const micBefore = await mic();
    await ben.keyboard.press('m');
    await eventually(mic, (v) => v !== micBefore, 10_000);
    const camBefore = await cam();
    await ben.keyboard.press('v');
    await eventually(cam, (v) => v !== camBefore, 5000);
    await ben.keyboard.press('v');
    await eventually(cam, (v) => v === camBefore, 5000);
    if ((await mic()) === 'true') await ben.keyboard.press('m');
    // Chromium's fake microphone beeps: speaking while muted brings up the hint.
    await ben.getByTestId('muted-hint').waitFor({ state: 'visible', timeout: 5000 });
    await ben.keyboard.press('m');
    await eventually(mic, (v) => v === 'true', 10_000);

    await ben.keyboard.press('?');
    await ben.getByTestId('shortcuts-dialog').waitFor({ state: 'visible' });
    const rows = await ben.getByTestId('shortcut-row').allInnerTexts();
    expect(rows.length).toBe(7);
    expect(await ben.getByTestId('shortcut-key').allInnerTexts()).toEqual(expect.arrayContaining(['M', 'V', '?']));
    await ben.keyboard.press('Escape');

    await tileOf(ann, benId).hover();
    await tileOf(ann, benId).getByTestId('pin-tile').click();
    await eventually(() => ann.getAttribute('[data-testid="spotlight"]', 'data-participant-id'), (id) => id === benId, 10_000);
    expect(await ben.getByTestId('spotlight').isHidden()).toBe(true);
    await tileOf(ann, benId).getByTestId('pin-tile').click();
    await eventually(() => ann.getByTestId('spotlight').isHidden(), (hidden) => hidden, 10_000);
  });

  it('end for all asks first: one click ends nothing; confirming ends the meeting on every page', async () => {
    await ann.getByTestId('end-meeting-button').click();
    await ann.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    await ann.getByTestId('confirm-cancel').click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await ben.getByTestId('page-room').count()).toBe(1);
    await ann.getByTestId('end-meeting-button').click();
    await ann.getByTestId('confirm-accept').click();
    await ben.getByTestId('page-ended').waitFor({ timeout: 5000 });
    await ann.getByTestId('page-ended').waitFor({ timeout: 5000 });
  });
});
