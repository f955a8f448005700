/** "1 minute", "5 minutes": how long a refused browser waits, rounded up, in the error messages. */
export function minutesText(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? '1 minute' : `${m} minutes`;
}
