// What the person picked for their background, as one string: it is stored in preferences and shown
// on the self-view's data-background attribute.

export const BACKGROUND_IMAGES = ['dawn', 'lagoon', 'studio'] as const;
export type BackgroundImageId = (typeof BACKGROUND_IMAGES)[number];
export type BackgroundChoice = 'off' | 'blur' | `image:${BackgroundImageId}`;

/** A stored or typed value, or 'off' for anything this version does not know. */
export function parseBackgroundChoice(value: unknown): BackgroundChoice {
  if (value === 'blur') return 'blur';
  if (typeof value === 'string' && value.startsWith('image:')) {
    const id = value.slice('image:'.length);
    if ((BACKGROUND_IMAGES as readonly string[]).includes(id)) return value as BackgroundChoice;
  }
  return 'off';
}

export function imageOf(choice: BackgroundChoice): BackgroundImageId | null {
  return choice.startsWith('image:') ? (choice.slice('image:'.length) as BackgroundImageId) : null;
}
