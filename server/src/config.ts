import { z } from "zod";
import type { AuthConfig, SiteConfig } from "./auth/session.ts";

/** The retention of visit details: kept `visitMonths`, the job run every `every_ms`. */
export type RetentionConfig = Readonly<{ visitMonths: number; every_ms: number }>;

const schema = z.object({
  DATABASE_URL: z.string().url(),
  /** A streaming replica of DATABASE_URL that serves tiles (docs/scaling.md); reads go to DATABASE_URL without it. */
  DATABASE_READ_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  /** The built web app to serve; absent in API-only runs and tests. */
  WEB_DIST: z.string().optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Scripted demos and tests: the demo accounts' password, and no forced change at first sign-in. */
  GRIDATLAS_DEMO_PASSWORD: z.string().min(1).optional(),
  /** The origin users reach the server at, for absolute links (TileJSON); without it links are relative. */
  GRIDATLAS_PUBLIC_URL: z
    .string()
    .url()
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /**
   * How long a visit's details (its day and note) are kept before the retention job rolls them up into monthly
   * counts (docs/privacy.md).
   */
  GRIDATLAS_VISIT_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(13),
  /** "1" behind a reverse proxy: the client address is the last X-Forwarded-For hop, HTTPS from X-Forwarded-Proto. */
  GRIDATLAS_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
});

export type Config = Readonly<{
  databaseUrl: string;
  databaseReadUrl: string | undefined;
  port: number;
  host: string;
  webDist: string | undefined;
  dbPoolMax: number;
  auth: AuthConfig;
  site: SiteConfig;
  retention: RetentionConfig;
}>;

/**
 * The server's configuration: validated once and frozen. This file is the only reader of process.env (biome's
 * noProcessEnv holds the line); the command line's settings come from loadCliConfig below.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    port: e.PORT,
    host: e.HOST,
    webDist: e.WEB_DIST,
    dbPoolMax: e.DB_POOL_MAX,
    auth: Object.freeze({
      sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
      sessionMaxHours: e.SESSION_MAX_HOURS,
      demoPassword: e.GRIDATLAS_DEMO_PASSWORD,
    }),
    site: Object.freeze({ publicUrl: e.GRIDATLAS_PUBLIC_URL, trustProxy: e.GRIDATLAS_TRUST_PROXY }),
    retention: Object.freeze({ visitMonths: e.GRIDATLAS_VISIT_RETENTION_MONTHS, every_ms: 6 * 3600_000 }),
  });
}

/**
 * What the command line (cli.ts) takes from the environment. Nothing is required up front: `partition` needs no
 * database, and each command that needs one checks for its URL.
 */
export type CliConfig = Readonly<{
  databaseUrl: string | undefined;
  /** A superuser URL of the cluster (npm test and npm run bench set it): codegen, the city, the replica. */
  adminUrl: string | undefined;
  /** The city's database for load-city; else one is made on the cluster of the admin URL. */
  cityDatabaseUrl: string | undefined;
  demoPassword: string | undefined;
  /** The checkout, set by scripts/gridatlas.mjs; else found from this file. */
  root: string | undefined;
  /** Where `npm run` was started (npm runs scripts in the package's folder): relative paths are the user's. */
  initCwd: string | undefined;
  /** The environment the processes the CLI starts inherit. */
  childEnv: Readonly<NodeJS.ProcessEnv>;
}>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return Object.freeze({
    databaseUrl: env.DATABASE_URL,
    adminUrl: env.GRIDATLAS_TEST_ADMIN_URL,
    cityDatabaseUrl: env.CITY_DATABASE_URL,
    demoPassword: env.GRIDATLAS_DEMO_PASSWORD,
    root: env.GRIDATLAS_ROOT,
    initCwd: env.INIT_CWD,
    childEnv: Object.freeze({ ...env }),
  });
}
