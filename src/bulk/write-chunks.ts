/**
 * Writing a batch of bulk output to a stream with backpressure — shared by the HTTP route (the
 * response) and the CLI (output files).
 *
 * @packageDocumentation
 */
import type { Writable } from 'node:stream';

/**
 * Writes the chunks corked (one write to the socket or file, no copy into a bigger buffer).
 * Resolves at once when the stream has room; otherwise on 'drain'. Rejects when the stream is
 * already closed, or closes before it drains (an HTTP client that went away).
 *
 * @param stream - An HTTP response or a file stream.
 * @param chunks - The bytes, in order.
 */
export function writeChunks(stream: Writable, chunks: readonly Uint8Array[]): Promise<void> {
  if (stream.destroyed || stream.writableEnded) {
    return Promise.reject(new Error('the output is closed'));
  }
  let room = true;
  stream.cork();
  for (const chunk of chunks) {
    room = stream.write(chunk);
  }
  stream.uncork();
  if (room) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      if (err === undefined) {
        resolve();
      } else {
        reject(err);
      }
    };
    const onDrain = (): void => {
      done();
    };
    const onClose = (): void => {
      done(new Error('the output closed before it drained'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}
