/**
 * weather: OpenWeatherMap-shaped. API key in the query (`appid`); no
 * pagination; `X-RateLimit-*` headers on every answer and 429 + `Retry-After`
 * once the window's budget is spent.
 */

import { weatherDocument } from './openapi.ts';
import { type CityRow, seed } from './seed.ts';
import { type Service, startService } from './service.ts';

export interface WeatherOptions {
  appid: string;
  /** Requests allowed per window. @default 600 */
  rateLimit?: number;
  /** Length of the rate-limit window. @default 60_000 // ms */
  rateWindowMs?: number;
  port?: number;
}

export interface WeatherService extends Service {
  /** How many 429 answers the service has sent. */
  rateLimited(): number;
  setRateLimit(limit: number, windowMs?: number): void;
}

const DESCRIPTIONS = ['clear sky', 'few clouds', 'scattered clouds', 'light rain', 'overcast clouds', 'mist'];
const BASE_TIME = Date.UTC(2026, 0, 1, 12) / 1000; // s; observations are fixed so answers are deterministic

export async function startWeather({
  appid,
  rateLimit = 600,
  rateWindowMs = 60_000,
  port,
}: WeatherOptions): Promise<WeatherService> {
  const cities = new Map(seed.cities.map((city) => [city.name.toLowerCase(), city]));
  let limit = rateLimit;
  let windowMs = rateWindowMs;
  let windowStart = Date.now();
  let used = 0;
  let sent429 = 0;

  const rollWindow = () => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      used = 0;
    }
    return Math.max(0, Math.ceil((windowStart + windowMs - now) / 1000));
  };

  const findCity = (query: URLSearchParams) =>
    cities.get((query.get('q') ?? '').split(',')[0]?.trim().toLowerCase() ?? '');
  const notFound = { status: 404, body: { cod: '404', message: 'city not found' } };

  const service = await startService(
    {
      name: 'weather',
      openapi: weatherDocument(),
      authorize: (_headers, query) => query.get('appid') === appid,
      decorate: (res) => {
        const resetIn = rollWindow();
        res.setHeader('x-ratelimit-limit', String(limit));
        res.setHeader('x-ratelimit-remaining', String(Math.max(0, limit - used - 1)));
        res.setHeader('x-ratelimit-reset', String(resetIn));
      },
      before: () => {
        const resetIn = rollWindow();
        if (used >= limit) {
          sent429 += 1;
          return {
            status: 429,
            headers: { 'retry-after': String(Math.max(1, resetIn)) },
            body: { cod: 429, message: 'rate limit exceeded' },
          };
        }
        used += 1;
        return undefined;
      },
      routes: [
        {
          method: 'GET',
          path: '/data/2.5/weather',
          handle: ({ query }) => {
            const city = findCity(query);
            return city ? { status: 200, body: observation(city, units(query)) } : notFound;
          },
        },
        {
          method: 'GET',
          path: '/data/2.5/forecast',
          handle: ({ query }) => {
            const city = findCity(query);
            if (!city) return notFound;
            const count = Math.min(40, Math.max(1, Number(query.get('cnt') ?? 40) || 40));
            return { status: 200, body: forecast(city, count, units(query)) };
          },
        },
      ],
    },
    port,
  );
  return {
    ...service,
    rateLimited: () => sent429,
    setRateLimit: (newLimit, newWindowMs = windowMs) => {
      limit = newLimit;
      windowMs = newWindowMs;
      windowStart = Date.now();
      used = 0;
    },
  };
}

type Units = 'metric' | 'imperial' | 'standard';

function units(query: URLSearchParams): Units {
  const value = query.get('units');
  return value === 'metric' || value === 'imperial' ? value : 'standard';
}

function convert(celsius: number, to: Units): number {
  const value = to === 'metric' ? celsius : to === 'imperial' ? (celsius * 9) / 5 + 32 : celsius + 273.15;
  return Math.round(value * 100) / 100;
}

function reading(city: CityRow, step: number) {
  const celsius = city.baseTemp + Math.sin(step / 3) * 4;
  return {
    celsius,
    humidity: 40 + ((city.name.length * 7 + step * 3) % 55),
    description: DESCRIPTIONS[(city.name.length + step) % DESCRIPTIONS.length] ?? 'clear sky',
  };
}

function observation(city: CityRow, to: Units) {
  const now = reading(city, 0);
  return {
    name: city.name,
    sys: { country: city.country },
    main: { temp: convert(now.celsius, to), feels_like: convert(now.celsius - 1.5, to), humidity: now.humidity },
    weather: [{ description: now.description }],
    wind: { speed: Math.round((2 + (city.name.length % 9) * 0.7) * 100) / 100 },
    dt: BASE_TIME,
  };
}

function forecast(city: CityRow, count: number, to: Units) {
  return {
    city: { name: city.name, country: city.country },
    cnt: count,
    list: Array.from({ length: count }, (_, i) => {
      const point = reading(city, i + 1);
      return {
        dt: BASE_TIME + (i + 1) * 10_800,
        main: { temp: convert(point.celsius, to), humidity: point.humidity },
        weather: [{ description: point.description }],
      };
    }),
  };
}
