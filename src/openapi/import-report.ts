/** What an import did: operations mapped, skipped (with why), and what it guessed. */
export interface ImportReport {
  mapped: string[];
  skipped: Array<{ operation: string; reason: string }>;
  guesses: string[];
  /** Fields made to follow a relation: `User.weather → weather: GET /data/2.5/weather (link)`. */
  relations: string[];
}
