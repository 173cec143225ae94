// A real OAuth2 / OpenID Connect authorization server for the portal's tests
// (oauth2-mock-server: discovery, JWKS, authorization code flow with PKCE, RS256-signed ID tokens).
//
//   node server.mjs <port> <control-port>
//
// Port 0 picks a free port (bound once, never released and re-bound). It prints
// `READY <issuer-url> <control-port>` once both ports listen. The control port takes
// `POST /next` with JSON {sub, email, email_verified, name, tamper, only_sub, userinfo_sub}: the
// identity the next tokens are issued for, and optionally a defect to put in the next ID token
// (`aud`, `nonce`, `iss` or `exp`) so that tests can check that such a token is refused; and
// `POST /rotate`: sign with a new key from now on.
//
// GitHub is OAuth2 without OIDC: its users come from its REST API. The control port also answers
// GitHub's two user endpoints (`GET /user`, `GET /user/emails`, bearer token required) for the
// current identity, so that the GitHub sign-in runs against this server's real /authorize and
// /token. Only these two JSON shapes are emulated.
import http from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

const [port, controlPort] = process.argv.slice(2).map(Number);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

// `only_sub`: the ID token carries `sub` alone, and email and name come from UserInfo (as the
// standard allows); `userinfo_sub`: UserInfo answers for another subject (a defect to refuse).
let next = {
  sub: 'user-1', email: 'user1@idp.test', email_verified: true, name: 'IdP User', tamper: null,
  only_sub: false, userinfo_sub: null,
};

server.service.on('beforeTokenSigning', (token) => {
  const p = token.payload;
  p.sub = next.sub;
  const isIdToken = !('scope' in p);
  if (!isIdToken) return;
  if (next.only_sub) {
    delete p.email;
    delete p.email_verified;
    delete p.name;
  } else {
    p.email = next.email;
    p.email_verified = next.email_verified;
    p.name = next.name;
  }
  switch (next.tamper) {
    case 'aud': p.aud = 'some-other-client'; break;
    case 'nonce': p.nonce = 'not-the-nonce-that-was-sent'; break;
    case 'iss': p.iss = 'http://127.0.0.1:1/not-the-issuer'; break;
    case 'exp': p.exp = Math.floor(Date.now() / 1000) - 3600; p.iat = p.exp - 60; break;
    default: break;
  }
  next.tamper = null;
});

// The store hands out keys round-robin and moves the one used to the back; once a key is
// retired, moving it back after every signing keeps the new key in front.
let retired = null;
server.issuer.on('beforeSigning', () => {
  if (retired) server.issuer.keys.get(retired);
});

server.service.on('beforeUserinfo', (response) => {
  response.body = {
    sub: next.userinfo_sub ?? next.sub,
    email: next.email,
    email_verified: next.email_verified,
    name: next.name,
  };
});

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const control = http.createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/user' || req.url === '/user/emails')) {
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) {
      json(res, 401, { message: 'Requires authentication' });
    } else if (req.url === '/user') {
      const id = Number.parseInt(next.sub.replace(/\D/g, '') || '1', 10);
      json(res, 200, { id, login: next.sub, name: next.name });
    } else {
      json(res, 200, [{ email: next.email, primary: true, verified: next.email_verified }]);
    }
    return;
  }
  if (req.method === 'POST' && req.url === '/rotate') {
    // A new signing key, used for every token from now on (the old one stays published).
    const old = server.issuer.keys.toJSON()[0].kid;
    server.issuer.keys.generate('RS256').then(() => {
      retired = old;
      server.issuer.keys.get(retired);
      res.writeHead(204).end();
    });
    return;
  }
  if (req.method !== 'POST' || req.url !== '/next') {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    try {
      next = { ...next, ...JSON.parse(body) };
      res.writeHead(204).end();
    } catch (e) {
      res.writeHead(400).end(String(e));
    }
  });
});

await server.start(port, '127.0.0.1');
control.listen(controlPort, '127.0.0.1', () => {
  console.log(`READY ${server.issuer.url} ${control.address().port}`);
});

const stop = async () => {
  control.close();
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
