// The English catalogue, one file per area (add an area: a file here and in ../zh-CN/, one line each
// in both index.ts files). Its literal sentences define the message keys and their {params}.
import { account } from './account.js';
import { common } from './common.js';
import { errors } from './errors.js';
import { join } from './join.js';
import { prejoin } from './prejoin.js';
import { room } from './room.js';
import { status } from './status.js';

export const en = {
  ...account,
  ...common,
  ...errors,
  ...join,
  ...prejoin,
  ...room,
  ...status,
} as const;
