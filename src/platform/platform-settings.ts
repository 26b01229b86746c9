import { ConfigError } from "../config/config.js";
import { isHttpsOrLoopback, reader, type Env } from "../config/reader.js";
import { readMasterKey, type MasterKey } from "./master-key.js";

/** What platform mode needs besides a database: where it is reached, and the key of the merchants' secrets. */
export interface PlatformSettings {
  publicUrl: string;
  masterKey: MasterKey;
}

/** PUBLIC_URL (https, or http on loopback) and MASTER_KEY; one ConfigError listing what is wrong with either. */
export function readPlatformSettings(env: Env): PlatformSettings {
  const problems: string[] = [];
  const publicUrl = reader(env, problems).url("PUBLIC_URL", true);
  if (publicUrl !== undefined && !isHttpsOrLoopback(publicUrl)) {
    problems.push("PUBLIC_URL: must be an https:// address (every merchant's Telegram updates and payment webhooks are sent to it); http only on a loopback address");
  }
  let masterKey: MasterKey | undefined;
  try {
    masterKey = readMasterKey(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0 || publicUrl === undefined || masterKey === undefined) throw new ConfigError(problems);
  return { publicUrl, masterKey };
}
