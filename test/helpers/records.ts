/**
 * The example services' records as zod shapes, for tests of the building
 * blocks a hand-written resolver uses (batch loaders, page fetchers) with
 * the services directly. The example graph itself maps them declaratively.
 */
import { z } from 'zod';

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);

export const userRecord = z.object({
  id,
  name: z.string(),
  email: z.string(),
  city: z.string(),
  created_at: z.string(),
});
export type UserRecord = z.output<typeof userRecord>;

export const articleRecord = z.object({
  id,
  title: z.string(),
  body: z.string(),
  category: z.string(),
  author_id: id,
  created_at: z.string(),
});
export type ArticleRecord = z.output<typeof articleRecord>;

export const commentRecord = z.object({ id, article_id: id, author_id: id, body: z.string(), created_at: z.string() });
export type CommentRecord = z.output<typeof commentRecord>;

const conditions = z.array(z.object({ description: z.string() })).min(1);

export const weatherRecord = z.object({
  name: z.string(),
  sys: z.object({ country: z.string() }),
  main: z.object({ temp: z.number(), feels_like: z.number(), humidity: z.number() }),
  weather: conditions,
  wind: z.object({ speed: z.number() }),
  /** Unix time, seconds */
  dt: z.number(),
});
export type WeatherRecord = z.output<typeof weatherRecord>;

export const forecastPointRecord = z.object({
  dt: z.number(),
  main: z.object({ temp: z.number(), humidity: z.number() }),
  weather: conditions,
});
export type ForecastPointRecord = z.output<typeof forecastPointRecord>;

/** Pages and lists, per service. */
export const accountsPage = z.object({ total: z.number().int(), offset: z.number().int(), users: z.array(userRecord) });
export const accountsBatch = z.object({ users: z.array(userRecord) });
export const contentBatch = z.object({ data: z.array(articleRecord) });
export const contentPage = z.object({
  data: z.array(articleRecord),
  next_cursor: z.string().nullable(),
  prev_cursor: z.string().nullable().optional(),
});
export const commentsPage = z.object({
  comments: z.array(commentRecord),
  page: z.number().int(),
  per_page: z.number().int(),
  total_pages: z.number().int(),
  total: z.number().int(),
});
export const forecastRecord = z.object({ list: z.array(forecastPointRecord) });
