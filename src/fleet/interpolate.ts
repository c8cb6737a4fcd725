/**
 * `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}`
 * (when unset) and `$$` (a literal `$`), as Compose and shells read them;
 * `${SERVICE}` is the service's name unless the environment sets it. Returns
 * the names that had no value, so the caller can say which.
 */
export const interpolate = (text: string, env: Readonly<Record<string, string | undefined>>, service: string): {value: string; missing: string[]} => {
  const missing: string[] = [];
  const value = text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?-)([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, def: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!] ?? (name === 'SERVICE' ? service : undefined);
    if (op === ':-' && !v) return def!;
    if (op === '-' && v === undefined) return def!;
    if (v === undefined) {
      missing.push(name!);
      return m;
    }
    return v;
  });
  return {value, missing};
};
