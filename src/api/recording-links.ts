import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { ClaimsSigner } from '../domain/signed-claims.js';
import { HLS_DIR, HLS_PLAYLIST, MP4_NAME, recordingDir } from '../media/recording-files.js';
import { webRoot } from '../paths.js';
import { ApiError } from './errors.js';

/** How long the URLs of QueryCloudRecordVideoPlayInfo work. */
export const RECORDING_URL_TTL_MS = 2 * 60 * 60 * 1000;

interface LinkClaims {
  /** mediaId */
  m: string;
  exp: number;
}

/**
 * Signed, expiring links to a recording's files: the claim (mediaId, expiry) is HMAC-signed with
 * the deployment key (ClaimsSigner, constant-time check), so any instance can check a link without
 * storing it. One token opens the MP4, the HLS playlist, its parts and the player page of that file.
 */
export function recordingLinks(ctx: Pick<Context, 'media' | 'links'>, now: () => number = Date.now) {
  const signer = new ClaimsSigner<LinkClaims>(ctx.media.linkKey, 'recording-link', (c) => typeof c.m === 'string');
  return {
    token(mediaId: string, ttlMs = RECORDING_URL_TTL_MS): string {
      return signer.sign({ m: mediaId, exp: now() + ttlMs });
    },
    urls(mediaId: string): { mp4: string; hls: string; player: string } {
      const t = encodeURIComponent(this.token(mediaId));
      const at = `${ctx.links.base}/recordings/${mediaId}`;
      return { mp4: `${at}/${MP4_NAME}?t=${t}`, hls: `${at}/${HLS_DIR}/${HLS_PLAYLIST}?t=${t}`, player: `${at}/play?t=${t}` };
    },
    /** The mediaId's claims when `token` is genuine, unexpired and for that file. */
    check(mediaId: string, token: string | undefined): boolean {
      return signer.verify(token, now())?.m === mediaId;
    },
  };
}

type FileRequest = FastifyRequest<{ Params: { mediaId: string; part?: string }; Querystring: { t?: string } }>;

/** The recording files behind those links: MP4 with byte ranges, the HLS playlist and parts, the player page. */
export async function recordingFileRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const links = recordingLinks(ctx);
  const hidden = { schema: { hide: true } };
  const mediaIdOk = (id: string) => /^[0-9a-f]{32}$/.test(id);

  /** The file's directory when the link is good; refused otherwise (nothing says whether the file exists). */
  async function dirOf(req: FileRequest): Promise<string> {
    const { mediaId } = req.params;
    if (!mediaIdOk(mediaId) || !links.check(mediaId, req.query.t)) throw new ApiError('recordingLinkInvalid');
    const record = await ctx.recordings.record(mediaId);
    if (!record || record.status !== 'ready') throw new ApiError('recordingLinkInvalid');
    return recordingDir(ctx.media.recordingsDir, record.conferenceId, mediaId);
  }

  app.get(`/recordings/:mediaId/${MP4_NAME}`, hidden, async (req: FileRequest, reply) => {
    const file = join(await dirOf(req), MP4_NAME);
    return sendRange(req, reply, file, 'video/mp4');
  });

  app.get(`/recordings/:mediaId/${HLS_DIR}/${HLS_PLAYLIST}`, hidden, async (req: FileRequest, reply) => {
    const file = join(await dirOf(req), HLS_DIR, HLS_PLAYLIST);
    const t = encodeURIComponent(req.query.t ?? '');
    // Each part is fetched with the playlist's own token.
    const text = readFileSync(file, 'utf8').replace(/^(part-\d+\.ts)$/gm, `$1?t=${t}`);
    return reply.header('cache-control', 'private, no-cache').type('application/vnd.apple.mpegurl').send(text);
  });

  app.get(`/recordings/:mediaId/${HLS_DIR}/:part`, hidden, async (req: FileRequest, reply) => {
    const part = req.params.part ?? '';
    if (!/^part-\d{4}\.ts$/.test(part)) throw new ApiError('recordingLinkInvalid');
    return sendRange(req, reply, join(await dirOf(req), HLS_DIR, part), 'video/mp2t');
  });

  // vconf's player page: the built web/player.html (hls.js), which plays ./hls/index.m3u8 with the same token.
  app.get('/recordings/:mediaId/play', hidden, async (req: FileRequest, reply) => {
    await dirOf(req);
    const page = join(webRoot, 'player.html');
    if (!existsSync(page)) throw new ApiError('webNotBuilt');
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(readFileSync(page));
  });
}

/**
 * Sends a file whole (200) or one byte range of it (206, `bytes=a-b`, `bytes=a-`, `bytes=-n`), as
 * players and download managers ask; an unsatisfiable range is 416. Several ranges get the whole file.
 */
function sendRange(req: FastifyRequest, reply: FastifyReply, file: string, type: string): FastifyReply {
  const path = resolve(file);
  if (!existsSync(path)) throw new ApiError('recordingLinkInvalid');
  const size = statSync(path).size;
  reply.header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=3600').type(type);
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? '').trim());
  if (!range || (range[1] === '' && range[2] === '')) {
    reply.header('content-length', String(size));
    return reply.send(createReadStream(path));
  }
  let start: number;
  let end: number;
  if (range[1] === '') {
    start = Math.max(0, size - Number(range[2]));
    end = size - 1;
  } else {
    start = Number(range[1]);
    end = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
  }
  if (!(start <= end && start < size)) {
    reply.header('content-range', `bytes */${size}`);
    throw new ApiError('rangeNotSatisfiable');
  }
  reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', String(end - start + 1));
  return reply.send(createReadStream(path, { start, end }));
}
