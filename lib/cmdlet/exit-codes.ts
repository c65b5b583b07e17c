// The exit-code table, as help and README print it (values in errors.ts ExitCode).
export const EXIT_CODE_HELP = [
  '0    success (a Test-* command: no check Failed; warnings allowed)',
  '1    an error: a terminating error (also: the pool the command works on, its -Identity or -PoolFqdn, does not exist), or at least one non-terminating error was written',
  '2    usage: unknown/ambiguous/missing parameter, invalid value, unknown command',
  '3    a Test-* command or validation found failures (Publish-Topology: refused by its checks); a change refused by a topology rule or naming a site, pool or store the topology does not have',
  '4    confirmation needed but not possible (no terminal; use -Force or -Confirm:false), or declined',
  '5    the repository stayed locked by another process past the wait, or another Publish-Topology is running',
  '130  interrupted (Ctrl+C / SIGINT)',
  '143  terminated (SIGTERM): running tools stopped, temporary files removed, the rest ends within 3 s',
];
