// One POST with node:http(s) and a timeout; resolves on 2xx only.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Post } from './http-sink.js';

export function httpPost(endpoint: URL, timeoutMs: number): Post {
  const request = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
  return (body, headers) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        endpoint,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`the collector answered ${status}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
