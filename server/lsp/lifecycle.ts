/**
 * The LSP lifecycle, enforced on incoming messages before any handler sees them (LSP 3.17,
 * "Server lifecycle"): before `initialize`, a request is answered with ServerNotInitialized
 * (-32002) and a notification other than `exit` is dropped; after `shutdown`, a request is
 * answered with InvalidRequest (-32600) and a notification other than `exit` is dropped. Without
 * this the features answered hovers before the client said who it was and after it said goodbye.
 *
 * vscode-jsonrpc's message strategy sees each message before it is dispatched; a refused request
 * is dispatched under a method of its own, whose handler returns the error, so that the answer
 * keeps the request's id.
 */
import { Connection, ErrorCodes, Message, ResponseError } from 'vscode-languageserver';

const NOT_INITIALIZED = '$/tensorcost/notInitialized';
const SHUT_DOWN = '$/tensorcost/shutDown';

export interface LifecycleGuard {
  messageStrategy: { handleMessage(message: Message, next: (message: Message) => void): void };
  /** Registers the handlers that answer refused requests; call once the connection exists. */
  register(connection: Connection): void;
}

export function lifecycleGuard(): LifecycleGuard {
  let initialized = false;
  let shutDown = false;
  return {
    messageStrategy: {
      handleMessage(message, next) {
        const m = message as { id?: unknown; method?: unknown };
        if (typeof m.method !== 'string') return next(message); // a response to our request
        const isRequest = m.id !== undefined && m.id !== null;
        if (m.method === 'exit') return next(message);
        if (!initialized) {
          if (m.method === 'initialize' && isRequest) {
            initialized = true;
            return next(message);
          }
          return isRequest ? next({ ...message, method: NOT_INITIALIZED, params: null } as Message) : undefined;
        }
        if (shutDown) return isRequest ? next({ ...message, method: SHUT_DOWN, params: null } as Message) : undefined;
        if (m.method === 'shutdown') shutDown = true;
        return next(message);
      },
    },
    register(connection) {
      connection.onRequest(NOT_INITIALIZED, () => new ResponseError(ErrorCodes.ServerNotInitialized, 'the server is not initialized: send initialize first'));
      connection.onRequest(SHUT_DOWN, () => new ResponseError(ErrorCodes.InvalidRequest, 'the server is shut down: only exit is accepted'));
    },
  };
}
