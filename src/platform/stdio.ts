// Standard output and error of the process, whose reader may go away (a parent that exited, a
// dead log collector). No dependencies: the `lastro` command installs this before loading anything.

/**
 * Standard output and error whose reader has gone raise EPIPE as an 'error' event, which would
 * crash the process as an uncaught exception. Logging must never stop Lastro: such errors are
 * dropped (the lines are lost, as they would be anyway).
 */
export function keepWritingWhenReaderGone(): void {
  // Always our own listener: a stream piped into stdout (as a module loader's worker output is)
  // installs one that re-throws once it is the last.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}
