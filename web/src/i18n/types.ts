// The shapes of a message catalogue. The English catalogue is written `as const`, so each key's
// sentence is a literal type: t() learns the {params} a key needs from it, and every other
// language must give the same keys (Translation<typeof en>).

/** A sentence whose wording depends on a number: chosen by Intl.PluralRules on `{count}`. */
export interface Plural {
  readonly one?: string;
  readonly other: string;
}

export type Text = string | Plural;

/** Another language's version of an English area catalogue: the same keys, any wording. */
export type Translation<T> = { readonly [K in keyof T]: Text };

type NamesIn<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | NamesIn<Rest> : never;

/** The {param} names of a sentence (both forms of a plural). */
export type ParamNames<T> = T extends Plural ? NamesIn<T['other']> | NamesIn<NonNullable<T['one']>> : NamesIn<T>;

export type ParamValue = string | number;
