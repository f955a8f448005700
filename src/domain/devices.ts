import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken } from './secrets.js';
import type { RateCounter } from './ports/index.js';

/** A browser as failure limits see it (docs/security.md). */
export interface Device {
  id: string;
  /**
   * Whether this browser may still try while its network or the meeting is over a shared failure
   * limit (as long as it has not failed itself). Only a bounded number of new browsers per network
   * and hour are vouched for, so an attacker cannot mint their way around the shared limits.
   */
  vouched: boolean;
  /** When the id was issued (genuine ids of this build only). */
  issuedAt?: number;
}

/** New browsers vouched for per network per hour. */
export const VOUCHED_DEVICES_PER_HOUR = 10;
/** …and per IPv6 /48 (a site's allocation: 65,536 /64 networks), so one site cannot mint its way around. */
export const VOUCHED_DEVICES_PER_SITE_PER_HOUR = 100;
const HOUR_MS = 3600_000;
const TIME_CHARS = 9;
const RANDOM_CHARS = 22;
const MAC_CHARS = 12;
const LENGTH = TIME_CHARS + 1 + RANDOM_CHARS + MAC_CHARS;

/**
 * Device ids (the vconf_device cookie): issue time, whether the browser was vouched for when it
 * was first seen, 128 random bits, and an HMAC under the deployment key over all of it, so neither
 * the time nor the vouching can be forged. Ids of older builds are still honoured as identities,
 * but are never vouched for.
 */
export class DeviceIds {
  private readonly key: Buffer;

  constructor(
    deploymentKey: Buffer,
    private readonly counter: RateCounter,
    private readonly vouchedPerHour = VOUCHED_DEVICES_PER_HOUR,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', deploymentKey).update('vconf device ids').digest();
  }

  /** A new browser seen from `network`: vouched for while the network's hourly allowance lasts. */
  async mint(network: string): Promise<Device> {
    const site = /^([0-9a-f]+:[0-9a-f]+:[0-9a-f]+):[0-9a-f]+::\/64$/.exec(network)?.[1];
    let vouched = await this.counter.take(`devices:${network}`, 1, this.vouchedPerHour, HOUR_MS);
    if (vouched && site !== undefined && !(await this.counter.take(`devices:${site}::/48`, 1, VOUCHED_DEVICES_PER_SITE_PER_HOUR, HOUR_MS))) {
      await this.counter.giveBack(`devices:${network}`, 1);
      vouched = false;
    }
    const issuedAt = this.now();
    const body = issuedAt.toString(36).padStart(TIME_CHARS, '0').slice(-TIME_CHARS) + (vouched ? 'v' : 'u') + randomToken(16);
    return { id: body + this.mac(body), vouched, issuedAt };
  }

  /** What a presented device id says about its browser (it is a well-formed id: checked by the caller). */
  read(id: string): Device {
    if (id.length !== LENGTH) return { id, vouched: false };
    const body = id.slice(0, -MAC_CHARS);
    const mac = Buffer.from(id.slice(-MAC_CHARS));
    const expected = Buffer.from(this.mac(body));
    const genuine = mac.length === expected.length && timingSafeEqual(mac, expected);
    if (!genuine) return { id, vouched: false };
    return { id, vouched: body[TIME_CHARS] === 'v', issuedAt: parseInt(body.slice(0, TIME_CHARS), 36) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, MAC_CHARS);
  }
}
