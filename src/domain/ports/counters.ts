/** Budgets shared by everything this deployment runs: in memory for one instance, in Redis for several. */

/** Rolling-window budgets (invites per minute, calls per second). */
export interface RateCounter {
  /** Takes `amount` from the budget of `key` if that stays within `limit`; false when it would not. */
  take(key: string, amount: number, limit: number, windowMs: number): Promise<boolean>;
  /** How much of the budget of `key` is used, and in how many ms the oldest use leaves the window. */
  peek(key: string, windowMs: number): Promise<{ used: number; resetInMs: number }>;
  /** Gives back what a failed operation took. */
  giveBack(key: string, amount: number): Promise<void>;
}
