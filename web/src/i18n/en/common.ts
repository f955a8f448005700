/** Words every page shares: the brand link and the language picker. */
export const common = {
  'common.home': 'vconf home',
  'common.language': 'Language',
} as const;
