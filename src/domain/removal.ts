/**
 * What a removal binds (docs/security.md): the browser (device id) always; a signed-in person by
 * their unionId; and a guest's network for NETWORK_BAR_MS, against browsers first seen after the
 * removal, so a removed guest cannot walk back in with a fresh browser while colleagues on the same
 * network whose browsers were here before are not affected.
 */
export const NETWORK_BAR_MS = 3600_000;

