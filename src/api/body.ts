import type { FastifyInstance } from 'fastify';

/** A JSON body that does not parse. */
export class MalformedBody extends Error {
  override name = 'MalformedBody';
}

/**
 * Body parsing as DingTalk's gateway does it: JSON in any charset; an empty body counts as no
 * body; any other content type is ignored, so the request is one without a body ("Missingbody").
 */
export function registerBodyParsers(app: FastifyInstance): void {
  // Fastify's own parser refuses __proto__ / constructor.prototype keys (prototype poisoning).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json(\s*;.*)?$/i, { parseAs: 'string' }, (req, text, done) => {
    if (String(text).trim() === '') return done(null, undefined);
    parseJson(req, String(text), (err, value) => {
      if (err) done(new MalformedBody(err.message), undefined);
      else done(null, value);
    });
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
}
