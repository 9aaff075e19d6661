// Slipway smoke check: request each path of a running app and compare the
// status. Usage: node smoke.cjs BASE_URL PATH[=STATUS]...
const [base, ...checks] = process.argv.slice(2);

async function check(spec) {
  const i = spec.lastIndexOf("=");
  const path = i > 0 ? spec.slice(0, i) : spec;
  const want = i > 0 ? Number(spec.slice(i + 1)) : 200;
  const started = Date.now();
  try {
    const res = await fetch(base + path, { redirect: "manual", signal: AbortSignal.timeout(10000) });
    const body = (await res.text()).slice(0, 300).replace(/\s+/g, " ");
    const ms = Date.now() - started;
    if (res.status !== want) {
      return { ok: false, line: `GET ${path}: got ${res.status}, want ${want} (${ms} ms): ${body}` };
    }
    return { ok: true, line: `GET ${path}: ${res.status} (${ms} ms)` };
  } catch (err) {
    return { ok: false, line: `GET ${path}: ${err.cause?.message || err.message}, want ${want}` };
  }
}

(async () => {
  let failed = 0;
  for (const spec of checks) {
    const r = await check(spec);
    (r.ok ? console.log : console.error)(r.line);
    if (!r.ok) failed++;
  }
  process.exit(failed ? 1 : 0);
})();
