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
 * The stream holds on to the chunks until it has written them, which is later than the promise
 * resolves: `onWritten` says when that is done — when the memory under the chunks may be reused.
 *
 * @param stream - An HTTP response or a file stream.
 * @param chunks - The bytes, in order.
 * @param onWritten - Called once every chunk has been written out (not if the stream fails).
 */
export function writeChunks(
  stream: Writable,
  chunks: readonly Uint8Array[],
  onWritten?: () => void,
): Promise<void> {
  if (stream.destroyed || stream.writableEnded) {
    return Promise.reject(new Error('the output is closed'));
  }
  let room = true;
  stream.cork();
  const last = chunks.length - 1;
  for (const [i, chunk] of chunks.entries()) {
    // A stream calls its write callbacks in order: the last one's means all are written.
    room =
      i === last && onWritten !== undefined
        ? stream.write(chunk, (err) => {
            if (err === null || err === undefined) {
              onWritten();
            }
          })
        : stream.write(chunk);
  }
  stream.uncork();
  if (last < 0 && onWritten !== undefined) {
    queueMicrotask(onWritten);
  }
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
