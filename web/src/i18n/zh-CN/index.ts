// The simplified-Chinese catalogue: every area of ../en/ translated (the compiler checks the keys).
import { common } from './common.js';
import { errors } from './errors.js';
import { room } from './room.js';

export const zhCN = {
  ...common,
  ...errors,
  ...room,
};
