/** Background effects and noise suppression (pre-join screen and the room's settings). */
export const effects = {
  'effects.summary': 'Background and noise',
  'effects.background': 'Background',
  'effects.background.off': 'None',
  'effects.background.blur': 'Blur',
  'effects.background.dawn': 'Dawn',
  'effects.background.lagoon': 'Lagoon',
  'effects.background.studio': 'Studio',
  'effects.status.cameraOff': 'Applies when your camera is on.',
  'effects.status.loading': 'Preparing the background…',
  'effects.status.failed': 'Background effects could not start in this browser, so your whole picture is blurred.',
  'effects.noise': 'Noise suppression',
  'effects.noise.hint': 'Filters out steady noise such as fans and typing.',
} as const;
