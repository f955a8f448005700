/** True when `err` is a unique-constraint violation (SQLite or PostgreSQL) naming `target`. */
export function isUniqueViolation(err: unknown, target: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  const detail = `${err.message} ${String((err as { constraint?: unknown }).constraint ?? '')}`;
  return unique && detail.includes(target);
}
