// The simplified-Chinese catalogue: every area of ../en/ translated (the compiler checks the keys).
import { account } from './account.js';
import { common } from './common.js';
import { errors } from './errors.js';
import { join } from './join.js';
import { prejoin } from './prejoin.js';
import { room } from './room.js';
import { status } from './status.js';

export const zhCN = {
  ...account,
  ...common,
  ...errors,
  ...join,
  ...prejoin,
  ...room,
  ...status,
};
