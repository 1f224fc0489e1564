import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_TYPE } from './errors.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/** The problem for what Node's HTTP parser refuses before any route sees the request. */
function problemFor(code: string | undefined): { status: number; type: string; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, type: 'headers-too-large', detail: 'The request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, type: 'request-timeout', detail: 'The request was not received in time' };
    default:
      return { status: 400, type: 'bad-request', detail: 'The request is not valid HTTP' };
  }
}

/**
 * Answers what Node's HTTP parser refuses (an oversized header block, a malformed request line)
 * as problem+json like every other refusal, instead of Node's empty 400 or 431. The socket is
 * closed after the answer: the stream is past saving.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const p = problemFor(err.code);
    const body = JSON.stringify({
      type: `${PROBLEM_TYPE}${p.type}`,
      title: STATUS_CODES[p.status],
      status: p.status,
      detail: p.detail,
    });
    socket.end(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
