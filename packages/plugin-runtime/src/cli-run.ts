/** Runs one CLI command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  print: (line: string) => void,
): Promise<number> {
  const [command, plugin] = args;
  const usage = 'usage: paystream-plugin-host status | dead-letters <plugin> | redrive <plugin>';
  const base = (env.PAYSTREAM_HOST_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const key = env.PAYSTREAM_API_KEY;
  if (!key) {
    print('PAYSTREAM_API_KEY must hold a key with the plugins:admin scope');
    return 2;
  }
  const call = async (method: string, path: string) => {
    const res = await fetch(`${base}/admin/plugins${path}`, {
      method,
      headers: { authorization: `Bearer ${key}` },
    });
    const body = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, body };
  };
  let result: { ok: boolean; status: number; body: unknown };
  if (command === 'status' && !plugin) result = await call('GET', '/');
  else if (command === 'dead-letters' && plugin)
    result = await call('GET', `/${encodeURIComponent(plugin)}/dead-letters`);
  else if (command === 'redrive' && plugin)
    result = await call('POST', `/${encodeURIComponent(plugin)}/dead-letters/redrive`);
  else {
    print(usage);
    return 2;
  }
  print(JSON.stringify(result.body, null, 2));
  return result.ok ? 0 : 1;
}
