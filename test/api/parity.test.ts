/**
 * Issue 4 §5: docs/api-parity.md, src/api/operations.ts and the running server agree on all 58
 * operations — which exist, their method and path, their state, the capability a missing one needs,
 * the test that covers each, and what the server actually answers for each.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ops from '../../spec/conference_1_0.ops.json' with { type: 'json' };
import { catalogue } from '../../src/api/errors.js';
import { capabilityOf, IMPLEMENTED, IN_PROGRESS, stateOf, UNAVAILABLE } from '../../src/api/operations.js';
import { appToken } from '../support/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Op {
  action: string;
  module: string;
  sdkMethod: string;
  method: string;
  path: string;
  sendsJsonBody: boolean;
}

interface Row {
  action: string;
  module: string;
  method: string;
  path: string;
  state: string;
  coveredBy: string[];
}

const all = ops as unknown as Op[];
const NOT_FOUND = catalogue.actionNotFound.code;
const UNAVAILABLE_CODE = catalogue.capabilityNotAvailable.code;

/** The rows of the operations table in docs/api-parity.md. */
function tableRows(): Row[] {
  const text = readFileSync(new URL('../../docs/api-parity.md', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const [, action, module, method, path, state, covered] = cells as [string, string, string, string, string, string, string];
      return {
        action,
        module,
        method,
        path: path.replaceAll('`', ''),
        state,
        coveredBy: [...covered.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      };
    });
}

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await appToken(server.endpoint, 'acme-app', 's3cret');
});
afterAll(async () => server.stop());

/** What the server answers to a plain call of the operation with a token holding every scope. */
async function probe(op: Op): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
  const path = op.path.replace(/\{\w+\}/g, 'parity-probe');
  const res = await fetch(server.url + path, {
    method: op.method,
    headers: { 'x-acs-dingtalk-access-token': token, ...(op.sendsJsonBody ? { 'content-type': 'application/json' } : {}) },
    ...(op.sendsJsonBody ? { body: '{}' } : {}),
  });
  const body = (await res.json()) as { code?: string; message?: string };
  return { status: res.status, code: body.code, message: body.message };
}

describe('docs/api-parity.md and src/api/operations.ts', () => {
  const rows = tableRows();

  it('list the 58 operations of the ops file — 48 conference_1_0 and 10 oauth2_1_0 — with their methods and paths', () => {
    expect(all).toHaveLength(58);
    expect(all.filter((o) => o.module === 'conference_1_0')).toHaveLength(48);
    expect(rows.map((r) => [r.action, r.module, r.method, r.path]).sort()).toEqual(all.map((o) => [o.action, o.module, o.method, o.path]).sort());
  });

  it('give every operation exactly one state, and the same one', () => {
    const listed = [...IMPLEMENTED, ...IN_PROGRESS, ...Object.values(UNAVAILABLE).flat()];
    expect(new Set(listed).size, 'no operation in two lists').toBe(listed.length);
    expect([...listed].sort()).toEqual(all.map((o) => o.action).sort());
    for (const row of rows) {
      const state = stateOf(row.action);
      expect(row.state, row.action).toBe(state === 'not available' ? `not available: ${capabilityOf(row.action)}` : state);
    }
  });

  it('name existing test files that cover each operation', () => {
    for (const row of rows) {
      const op = all.find((o) => o.action === row.action)!;
      for (const file of row.coveredBy) expect(existsSync(new URL(`../../${file}`, import.meta.url)), `${row.action}: ${file}`).toBe(true);
      const texts = row.coveredBy.map((file) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
      if (row.state === 'implemented') {
        // Called through the SDK by name in at least one of them.
        expect(texts.some((t) => t.includes(op.sdkMethod)), `${row.action}: a test calls ${op.sdkMethod}`).toBe(true);
      } else if (row.state.startsWith('not available')) {
        expect(row.coveredBy).toEqual(['test/api/unavailable.test.ts']);
      }
    }
  });
});

describe('the running server', () => {
  it('answers every implemented operation with its own route, not the router or the unavailable answer', async () => {
    for (const op of all.filter((o) => stateOf(o.action) === 'implemented')) {
      const a = await probe(op);
      expect([op.action, a.code], `${op.method} ${op.path} → ${a.status}`).not.toEqual([op.action, NOT_FOUND]);
      expect([op.action, a.code]).not.toEqual([op.action, UNAVAILABLE_CODE]);
    }
  });

  it('answers every not-available operation with 403 capabilityNotAvailable naming its capability', async () => {
    for (const op of all.filter((o) => stateOf(o.action) === 'not available')) {
      expect([op.action, await probe(op)]).toEqual([
        op.action,
        { status: 403, code: UNAVAILABLE_CODE, message: `${capabilityOf(op.action)} (${op.action}) is not available in this deployment of vconf.` },
      ]);
    }
  });

  it('leaves the in-progress operations to their own routes', async () => {
    for (const op of all.filter((o) => stateOf(o.action) === 'in progress (issue 4)')) {
      expect([op.action, (await probe(op)).code]).not.toEqual([op.action, UNAVAILABLE_CODE]);
    }
  });

  it('serves no /v1.0 operation outside the ops file', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const known = new Set(all.map((o) => `${o.method} ${o.path}`));
    const served = Object.entries(doc.paths)
      // DingTalk's Stream-mode gateway (docs/events.md) is not an SDK operation: the stream clients call it.
      .filter(([path]) => path.startsWith('/v1.0/') && !path.startsWith('/v1.0/gateway/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.filter((s) => !known.has(s))).toEqual([]);
    // And every implemented or not-available operation is in the document.
    for (const op of all.filter((o) => stateOf(o.action) !== 'in progress (issue 4)')) expect(served).toContain(`${op.method} ${op.path}`);
  });
});
