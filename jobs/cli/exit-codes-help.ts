/** The exit codes of the commands that write (export, cloudtrail ingest, compact), for their --help. */
export function exitCodesHelp(options: { readonly lease: boolean }): string {
  return [
    'Exit codes:',
    '  0    done',
    '  1    failed (the summary says what; what finished is committed)',
    ...(options.lease ? ['  75   nothing done: another run holds the lease (try later, or --take-over-lease if that run was killed)'] : []),
    '  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: stopped at a safe point, what finished is committed',
  ].join('\n');
}
