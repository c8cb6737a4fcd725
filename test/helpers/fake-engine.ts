import {createServer, request, type IncomingMessage, type RequestListener, type ServerResponse} from 'node:http';
import {createServer as createTlsServer} from 'node:https';
import type {AddressInfo} from 'node:net';

/**
 * Something at DOCKER_HOST that speaks HTTP, for faults the real engine
 * cannot be made to produce: it answers every request as `behave` decides,
 * either with nonsense or by passing it to the real engine's socket.
 */
export type Behaviour =
  /** 200 with `{}`, whatever was asked. */
  | 'empty'
  /** 200, a chunked body cut off in the middle, then the connection closed. */
  | 'truncate'
  /** Accept and never answer. */
  | 'stall'
  /** Pass to the real engine and relay its answer (streams too). */
  | 'proxy'
  /** Pass to the real engine, then answer 200 `{}` instead of what it said. */
  | 'proxy-empty'
  /** Pass to the real engine; relay its answer only after `holdMs`. */
  | {proxy: 'hold'; holdMs: number};

export interface SeenRequest {
  /** 0-based order of arrival. */
  n: number;
  method: string;
  /** Path without the query. */
  path: string;
}

export interface FakeEngine {
  /** For DOCKER_HOST. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

const REAL_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';

const empty = (res: ServerResponse) => res.writeHead(200, {'content-type': 'application/json'}).end('{}');

const proxy = (req: IncomingMessage, res: ServerResponse, holdMs = 0, rewrite?: (res: ServerResponse) => void, socketPath = REAL_SOCKET) => {
  const up = request({socketPath, method: req.method, path: req.url, headers: req.headers}, answer => {
    const relay = () => {
      if (rewrite) {
        answer.resume();
        return rewrite(res);
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    };
    if (holdMs) setTimeout(relay, holdMs);
    else relay();
  });
  up.on('error', () => res.destroy());
  // The client went away (a follow stream closed, a request aborted): so does the upstream request.
  res.on('close', () => up.destroy());
  // The whole body in one write: Podman's API service answers and closes the connection as soon as it has
  // what it needs, so a body piped in pieces fails with EPIPE after the engine already acted on it.
  const body: Buffer[] = [];
  req.on('data', (c: Buffer) => body.push(c));
  req.on('end', () => up.end(Buffer.concat(body)));
};

/** A server certificate and the CA that client certificates must be signed by, as a TLS engine (dind) asks for. */
export interface FakeEngineTls {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

/** `upstream`: the real engine's socket that `proxy` passes requests to (default DOCKER_HOST's, else Docker's). */
export const startFakeEngine = async (behave: (r: SeenRequest) => Behaviour, onRequest?: (r: SeenRequest) => void, tls?: FakeEngineTls, upstream = REAL_SOCKET): Promise<FakeEngine> => {
  const requests: SeenRequest[] = [];
  const handle: RequestListener = (req, res) => {
    const seen = {n: requests.length, method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!};
    requests.push(seen);
    onRequest?.(seen);
    const b = behave(seen);
    if (b === 'empty') return empty(res);
    if (b === 'stall') return;
    if (b === 'truncate') {
      res.writeHead(200, {'content-type': 'application/json', 'transfer-encoding': 'chunked'});
      res.write('{"Architecture": "x86_');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (b === 'proxy') return proxy(req, res, 0, undefined, upstream);
    if (b === 'proxy-empty') return proxy(req, res, 0, empty, upstream);
    return proxy(req, res, b.holdMs, undefined, upstream);
  };
  const server = tls ? createTlsServer({...tls, requestCert: true, rejectUnauthorized: true}, handle) : createServer(handle);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      })
  };
};
