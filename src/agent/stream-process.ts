// What a runtime hands the tunnel for an exec or attach: byte streams, a resize hook, and how it ended.
import type { Readable, Writable } from 'node:stream';

export interface StreamRequest {
  /** The container's name in the pod spec; the runtime picks its newest running instance. */
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export type StreamEnd = { exitCode: number } | { error: string };

export interface StreamProcess {
  /** Absent when the caller asked for no stdin (or an attach to a container without stdin: true). */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a TTY: the terminal merges stderr into stdout. */
  stderr?: Readable;
  resize(width: number, height: number): void;
  /** The caller went away: an exec is killed, an attach just lets go. */
  close(): void;
  /** Settles once the command (exec) or the container (attach) ended, after its output was read. */
  ended: Promise<StreamEnd>;
}
