import type { ForecastPointResolvers, QueryResolvers, WeatherResolvers } from '../generated/graphql.ts';
import { badUserInput } from '../errors.ts';
import { path } from '../sources/url.ts';
import type { GraphSources } from './graph-sources.ts';
import { forecastRecord, weatherRecord, type WeatherRecord } from './records.ts';

/** The weather service answers in three-hour steps: eight points a day. */
const POINTS_PER_DAY = 8;
const MAX_FORECAST_DAYS = 5;

export const weatherQueries: Pick<QueryResolvers, 'weather'> = {
  weather: (_, { city }, { sources }) => weatherIn(sources, city),
};

export function weatherIn(sources: GraphSources, city: string): Promise<WeatherRecord> {
  if (city.trim() === '' || city.length > 100) throw badUserInput('city must be 1 to 100 characters.');
  return sources.weather.fetch(weatherRecord, { path: path`/data/2.5/weather`, query: { q: city, units: 'metric' } });
}

const isoFromUnixSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();

export const Weather: WeatherResolvers = {
  city: (weather) => weather.name,
  country: (weather) => weather.sys.country,
  temperature: (weather) => weather.main.temp,
  feelsLike: (weather) => weather.main.feels_like,
  humidity: (weather) => Math.round(weather.main.humidity),
  description: (weather) => weather.weather[0]?.description ?? '',
  windSpeed: (weather) => weather.wind.speed,
  observedAt: (weather) => isoFromUnixSeconds(weather.dt),
  forecast: async (weather, { days }, { sources }) => {
    if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) throw badUserInput(`days must be between 1 and ${MAX_FORECAST_DAYS}.`);
    const forecast = await sources.weather.fetch(forecastRecord, { path: path`/data/2.5/forecast`, query: { q: weather.name, cnt: days * POINTS_PER_DAY, units: 'metric' } });
    return forecast.list;
  },
};

export const ForecastPoint: ForecastPointResolvers = {
  at: (point) => isoFromUnixSeconds(point.dt),
  temperature: (point) => point.main.temp,
  humidity: (point) => Math.round(point.main.humidity),
  description: (point) => point.weather[0]?.description ?? '',
};
