// Command-line arguments of the ad hoc benchmarks (bench:drain, bench:refresh): `--name=value` options, and the
// service's own settings given as `SETTING=value`.

/** The value of `--name=value`, or undefined. */
export function option(name: string, argv = process.argv): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

/** Every `SETTING=value` argument, as the service's environment variables. */
export function serviceSettings(argv = process.argv): Record<string, string> {
  return Object.fromEntries(
    argv
      .slice(2)
      .filter((a) => /^[A-Z][A-Z0-9_]*=/.test(a))
      .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
}
