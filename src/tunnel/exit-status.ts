// The Status a stream's error channel carries when an exec or attach ends (pure, both sides).
// k8s: staging/src/k8s.io/apiserver/pkg/util/proxy/streamtranslator.go (codeExitToStatusError) and
// client-go tools/remotecommand/v4.go (errorDecoderV4: "ExitCode" cause parsed as a uint8).

export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason: string; message: string }[] };
}

export function exitStatus(exitCode: number): StreamStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  const code = Math.min(Math.max(Math.trunc(exitCode), 1), 255);
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A failure that is not the command's own exit: kubectl prints "error: <message>" and exits 1. */
export function failureStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}
