/**
 * Deterministic seed data shared by the example services (and by tests, which
 * compare the gateway's answers with it). Same seed, same data, every run.
 */

export interface UserRow {
  id: number;
  name: string;
  email: string;
  city: string;
  created_at: string;
}

export interface ArticleRow {
  id: number;
  title: string;
  body: string;
  category: string;
  author_id: number;
  created_at: string;
}

export interface CommentRow {
  id: number;
  article_id: number;
  author_id: number;
  body: string;
  created_at: string;
}

export interface CityRow {
  name: string;
  country: string;
  /** Baseline temperature in °C, from which observations and forecasts derive. */
  baseTemp: number;
}

export const USER_COUNT = 200;
export const ARTICLE_COUNT = 2_000;
export const COMMENT_COUNT = 10_000;

export const CATEGORIES = ['science', 'travel', 'food', 'tech', 'culture', 'sport'] as const;

const CITY_NAMES: Array<[string, string]> = [
  ['London', 'GB'],
  ['Paris', 'FR'],
  ['Berlin', 'DE'],
  ['Madrid', 'ES'],
  ['Rome', 'IT'],
  ['Lisbon', 'PT'],
  ['Dublin', 'IE'],
  ['Amsterdam', 'NL'],
  ['Brussels', 'BE'],
  ['Vienna', 'AT'],
  ['Prague', 'CZ'],
  ['Warsaw', 'PL'],
  ['Budapest', 'HU'],
  ['Athens', 'GR'],
  ['Oslo', 'NO'],
  ['Stockholm', 'SE'],
  ['Helsinki', 'FI'],
  ['Copenhagen', 'DK'],
  ['Zurich', 'CH'],
  ['Reykjavik', 'IS'],
  ['New York', 'US'],
  ['Chicago', 'US'],
  ['Toronto', 'CA'],
  ['Mexico City', 'MX'],
  ['Bogota', 'CO'],
  ['Lima', 'PE'],
  ['Santiago', 'CL'],
  ['Buenos Aires', 'AR'],
  ['Sao Paulo', 'BR'],
  ['Havana', 'CU'],
  ['Cairo', 'EG'],
  ['Lagos', 'NG'],
  ['Nairobi', 'KE'],
  ['Cape Town', 'ZA'],
  ['Casablanca', 'MA'],
  ['Istanbul', 'TR'],
  ['Dubai', 'AE'],
  ['Mumbai', 'IN'],
  ['Delhi', 'IN'],
  ['Bangkok', 'TH'],
  ['Singapore', 'SG'],
  ['Jakarta', 'ID'],
  ['Manila', 'PH'],
  ['Seoul', 'KR'],
  ['Tokyo', 'JP'],
  ['Beijing', 'CN'],
  ['Hong Kong', 'HK'],
  ['Sydney', 'AU'],
  ['Auckland', 'NZ'],
  ['Honolulu', 'US'],
];

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Edsger',
  'Margaret',
  'Donald',
  'Frances',
  'Ken',
  'Radia',
  'Tim',
  'Hedy',
  'John',
  'Sophie',
  'Dennis',
];
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Liskov',
  'Dijkstra',
  'Hamilton',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'McCarthy',
  'Wilson',
  'Ritchie',
];
const WORDS = [
  'graph',
  'river',
  'signal',
  'harbor',
  'lantern',
  'orbit',
  'meadow',
  'cipher',
  'summit',
  'ember',
  'tide',
  'forest',
  'engine',
  'mosaic',
  'canyon',
  'atlas',
];

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => pick(random, WORDS)).join(' ');
}

const EPOCH = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

export function buildSeed() {
  const random = prng(20_240_101);
  const cities: CityRow[] = CITY_NAMES.map(([name, country], i) => ({
    name,
    country,
    baseTemp: Math.round(((i * 7) % 35) - 5 + random() * 5),
  }));
  const users: UserRow[] = Array.from({ length: USER_COUNT }, (_, i) => {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    return {
      id: i + 1,
      name: `${first} ${last}`,
      email: `${first}.${last}.${i + 1}@example.com`.toLowerCase(),
      city: pick(random, cities).name,
      created_at: new Date(EPOCH + i * DAY).toISOString(),
    };
  });
  const articles: ArticleRow[] = Array.from({ length: ARTICLE_COUNT }, (_, i) => {
    const title = words(random, 3);
    return {
      id: i + 1,
      title: title[0]?.toUpperCase() + title.slice(1),
      body: words(random, 24),
      category: pick(random, CATEGORIES),
      author_id: 1 + Math.floor(random() * USER_COUNT),
      created_at: new Date(EPOCH + i * 3_600_000).toISOString(),
    };
  });
  const comments: CommentRow[] = Array.from({ length: COMMENT_COUNT }, (_, i) => ({
    id: i + 1,
    article_id: 1 + Math.floor(random() * ARTICLE_COUNT),
    author_id: 1 + Math.floor(random() * USER_COUNT),
    body: words(random, 8),
    created_at: new Date(EPOCH + i * 600_000).toISOString(),
  }));
  return { cities, users, articles, comments };
}

export const seed = buildSeed();
export type Seed = typeof seed;
