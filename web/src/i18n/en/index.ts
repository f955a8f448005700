// The English catalogue, one file per area (add an area: a file here and in ../zh-CN/, one line each
// in both index.ts files). Its literal sentences define the message keys and their {params}.
import { common } from './common.js';
import { errors } from './errors.js';
import { room } from './room.js';

export const en = {
  ...common,
  ...errors,
  ...room,
} as const;
