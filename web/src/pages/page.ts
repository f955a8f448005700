/** A screen of the app: its root element, a document title, and what to release when it goes. */
export interface Page {
  el: HTMLElement;
  title: string;
  /** Focused when the page appears (keyboard and screen-reader users land on it). */
  focus?: HTMLElement;
  dispose?(): void;
}
