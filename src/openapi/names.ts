/** Names a person would write, from the words of a REST API. */

/** The words of an identifier: `user_id`, `userId`, `User-ID`, `/users` → ['user', 'id']. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

export function camelCase(text: string): string {
  const [first = '', ...rest] = words(text);
  const name = first + rest.map(capitalized).join('');
  return /^[0-9]/.test(name) ? `_${name}` : name || '_';
}

/** An argument for a parameter whatever its spelling: `include[]` -> include, `StartTime<` -> startTimeLt, `created_at>=` -> createdAtGte. */
export function argumentName(parameter: string): string {
  const spelled = parameter.replace(/<=|>=|<|>|!=/g, (operator) => ` ${OPERATOR_WORDS[operator]} `);
  return camelCase(spelled);
}

const OPERATOR_WORDS: Record<string, string> = { '<=': 'lte', '>=': 'gte', '<': 'lt', '>': 'gt', '!=': 'not' };

export function pascalCase(text: string): string {
  const name = words(text).map(capitalized).join('');
  return /^[0-9]/.test(name) ? `_${name}` : name || '_';
}

/** An enum value: `in-progress` → IN_PROGRESS. */
export function constantCase(text: string): string {
  const name = words(String(text)).join('_').toUpperCase();
  return /^[0-9]/.test(name) || name === '' || ['TRUE', 'FALSE', 'NULL'].includes(name) ? `_${name}` : name;
}

/** The singular of an English plural noun, for the common shapes (`categories`, `addresses`, `users`); other words are kept. */
export function singular(word: string): string {
  // Short words (`lfs`, `gas`, `os`) are abbreviations or singular already.
  if (word.length <= 3) return word;
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh|tus|ias)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word) && !/(us|is|ias)$/.test(word)) return word.slice(0, -1);
  return word;
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Gives every name asked for a unique one, deterministically: the second
 * `user` is `user2`. A name another document of the same import already
 * uses (`elsewhere`) is qualified first (`qualify`: `Error` → `WeatherError`).
 */
export function uniqueNames(
  elsewhere: Pick<ReadonlySet<string>, 'has'> = new Set(),
  qualify: (name: string) => string = (name) => name,
): (name: string) => string {
  const taken = new Set<string>();
  return (name) => {
    const base = elsewhere.has(name) ? qualify(name) : name;
    let candidate = base;
    for (let n = 2; taken.has(candidate) || elsewhere.has(candidate); n++) candidate = `${base}${n}`;
    taken.add(candidate);
    return candidate;
  };
}
