// Masking of secret-looking values for /environment and /process: by the
// variable's or flag's name, and credentials written into URLs anywhere.

/** What replaces a masked value. */
export const MASK = '********';

/** Name fragments that mark a variable or flag as secret (case-insensitive). */
export const SECRET_NAME_WORDS = [
  'KEY',
  'SECRET',
  'TOKEN',
  'PASS',
  'AUTH',
  'CREDENTIAL',
  'COOKIE',
  'PRIVATE',
  'SESSION',
  'SIGNATURE',
] as const;

const SECRET_NAME = new RegExp(SECRET_NAME_WORDS.join('|'), 'i');
// scheme://user:password@host → the password; scheme://token@host → the token.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*)(:[^/\s@]*)?@/gi;

/** Decides whether names are secret: the built-in words plus the app's own patterns. */
export class Redactor {
  private readonly extra: RegExp[];

  constructor(extra: ReadonlyArray<string | RegExp> = []) {
    this.extra = extra.map((p) =>
      typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : p,
    );
  }

  isSecretName(name: string): boolean {
    return SECRET_NAME.test(name) || this.extra.some((p) => p.test(name));
  }

  /** A value with URL credentials masked; the rest of the URL stays readable. */
  maskValue(value: string): string {
    return value.replace(URL_CREDENTIALS, (_m, scheme: string, user: string, pass?: string) =>
      pass === undefined ? `${scheme}${MASK}@` : `${scheme}${user}:${MASK}@`,
    );
  }

  /** The environment with secret names masked and URL credentials hidden. */
  environment(env: NodeJS.ProcessEnv): { variables: Record<string, string>; masked: string[] } {
    const variables: Record<string, string> = {};
    const masked: string[] = [];
    for (const name of Object.keys(env).sort()) {
      const value = env[name] ?? '';
      if (this.isSecretName(name)) {
        variables[name] = MASK;
        masked.push(name);
        continue;
      }
      const safe = this.maskValue(value);
      if (safe !== value) masked.push(name);
      variables[name] = safe;
    }
    return { variables, masked };
  }

  /**
   * Command-line arguments with secrets masked: `--token=x` and `--token x`
   * (flags with a secret-looking name), `TOKEN=x` pairs and URL credentials.
   */
  argv(args: readonly string[]): string[] {
    const out: string[] = [];
    let maskNext = false;
    for (const arg of args) {
      if (maskNext && !arg.startsWith('-')) {
        out.push(MASK);
        maskNext = false;
        continue;
      }
      maskNext = false;
      const eq = arg.indexOf('=');
      if (eq > 0) {
        const name = arg.slice(0, eq);
        if (this.isSecretName(name.replace(/^-+/, ''))) {
          out.push(`${this.maskValue(name)}=${MASK}`);
          continue;
        }
      } else if (arg.startsWith('-') && this.isSecretName(arg.replace(/^-+/, ''))) {
        maskNext = true;
      }
      out.push(this.maskValue(arg));
    }
    return out;
  }
}
