// The smallest Node web service: node:http on 3000.
import {createServer} from 'node:http';

createServer((_req, res) => res.end('hello from node\n')).listen(3000);
