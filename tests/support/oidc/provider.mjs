// A real OpenID Connect provider (panva/oidc-provider) for Halcyon's test suite.
//
// Binds 127.0.0.1 only. Prints exactly one JSON line on stdout once listening:
//   {"issuer": "http://127.0.0.1:PORT", "ready": true, "pid": N}
// Everything else (oidc-provider notices/warnings, request errors) goes to stderr.
//
// Usage:
//   node provider.mjs [--port N] [--config JSON | --config-file PATH]
// or with env: OIDC_PROVIDER_PORT, OIDC_PROVIDER_CONFIG (JSON), OIDC_PROVIDER_CONFIG_FILE.
// --port 0 (the default) lets the OS pick a free port.
//
// Config JSON:
//   {
//     "client": {"client_id": "...", "client_secret": "...", "redirect_uris": ["http://..."],
//                ...any other client metadata, e.g. "post_logout_redirect_uris"},
//     "users": [{"sub": "u1", "email": "a@example.test", "email_verified": true,
//                "name": "A", "password": "pw"}],
//     "auto_consent": false   // true: skip the consent page (grant everything requested)
//   }
//
// Interaction pages (own implementation, not oidc-provider's devInteractions, because those
// accept any login without a password):
//   GET  /interaction/:uid          -> login form, or consent form
//   POST /interaction/:uid/login    -> fields: login (email or sub), password
//   POST /interaction/:uid/confirm  -> grants the requested scopes/claims
//   POST /interaction/:uid/abort    -> access_denied back to the client
// All forms are plain HTML <form method="post"> drivable by any HTTP client with a cookie jar.

import { generateKeyPairSync, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

// oidc-provider writes NOTICEs with console.info (stdout). Keep stdout for the ready line only.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const { values: argv } = parseArgs({
  options: {
    port: { type: 'string' },
    config: { type: 'string' },
    'config-file': { type: 'string' },
  },
  strict: true,
});

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

function loadConfig() {
  const inline = argv.config ?? process.env.OIDC_PROVIDER_CONFIG;
  const file = argv['config-file'] ?? process.env.OIDC_PROVIDER_CONFIG_FILE;
  let raw;
  if (inline) raw = inline;
  else if (file) raw = readFileSync(file, 'utf8');
  else fail('no configuration: pass --config JSON, --config-file PATH or OIDC_PROVIDER_CONFIG');
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fail(`configuration is not valid JSON: ${err.message}`);
  }
}

const config = loadConfig();
const portRaw = argv.port ?? process.env.OIDC_PROVIDER_PORT ?? '0';
const port = Number.parseInt(portRaw, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port: ${portRaw}`);

const client = config.client;
if (!client || typeof client.client_id !== 'string' || typeof client.client_secret !== 'string'
  || !Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) {
  fail('config.client needs client_id, client_secret and a non-empty redirect_uris list');
}
if (!Array.isArray(config.users)) fail('config.users must be a list');

const users = new Map();
for (const user of config.users) {
  if (typeof user.sub !== 'string' || !user.sub) fail('every user needs a string "sub"');
  if (typeof user.password !== 'string') fail(`user ${user.sub} needs a string "password"`);
  users.set(user.sub, user);
}
const autoConsent = Boolean(config.auto_consent);

function findUserByLogin(login) {
  const needle = String(login ?? '').trim();
  if (!needle) return undefined;
  if (users.has(needle)) return users.get(needle);
  const lower = needle.toLowerCase();
  for (const user of users.values()) {
    if (typeof user.email === 'string' && user.email.toLowerCase() === lower) return user;
  }
  return undefined;
}

function passwordMatches(user, password) {
  // Compare digests so lengths are equal for timingSafeEqual.
  const a = createHash('sha256').update(String(password ?? '')).digest();
  const b = createHash('sha256').update(user.password).digest();
  return timingSafeEqual(a, b);
}

// Fresh signing key per process: tests must fetch the JWKS, never hard-code a key.
const signingJwk = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `test-${randomBytes(6).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

// Loaded after console.info is redirected (static imports would be evaluated first).
const { default: Provider, errors: oidcErrors } = await import('oidc-provider');

const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>
`;
}

function loginPage(uid, { error, login } = {}) {
  return page('Sign-in', `${error ? `<p class="error" role="alert">${esc(error)}</p>\n` : ''}\
<form id="login" method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <label>Email <input type="text" name="login" value="${esc(login)}" required autofocus></label>
  <label>Password <input type="password" name="password" required></label>
  <button type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${esc(uid)}/abort">
  <button type="submit">Cancel</button>
</form>`);
}

function consentPage(uid, clientId, details) {
  const scopes = details.missingOIDCScope ?? [];
  const claims = details.missingOIDCClaims ?? [];
  return page('Authorize', `<p>Client <strong>${esc(clientId)}</strong> requests access.</p>
<ul class="scopes">${scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<ul class="claims">${claims.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>
<form id="consent" method="post" action="/interaction/${esc(uid)}/confirm">
  <button type="submit" name="decision" value="allow">Continue</button>
</form>
<form id="abort" method="post" action="/interaction/${esc(uid)}/abort">
  <button type="submit">Cancel</button>
</form>`);
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const server = http.createServer();

server.listen({ host: '127.0.0.1', port, exclusive: true }, async () => {
  const { address, port: boundPort } = server.address();
  if (address !== '127.0.0.1') fail(`bound to unexpected address ${address}`);
  const issuer = `http://127.0.0.1:${boundPort}`;

  const provider = new Provider(issuer, {
    clients: [{
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    }],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Put scope-granted claims (email, email_verified, name) into the ID token as well as
    // userinfo, like most hosted IdPs do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
    },
    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async findAccount(ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          const out = { sub };
          if (user.email !== undefined) out.email = user.email;
          if (user.email_verified !== undefined) out.email_verified = Boolean(user.email_verified);
          if (user.name !== undefined) out.name = user.name;
          return out;
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', Object.entries(out)
        .map(([k, v]) => `<p class="${esc(k)}">${esc(k)}: ${esc(v)}</p>`).join('\n'));
    },
  });

  provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));

  async function grantConsent(interaction) {
    const { prompt: { details }, params, session } = interaction;
    let grant;
    if (interaction.grantId) {
      grant = await provider.Grant.find(interaction.grantId);
    } else {
      grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    }
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    if (details.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    return { consent: { grantId } };
  }

  async function handleInteraction(req, res, url) {
    const match = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?\/?$/.exec(url.pathname);
    if (!match) return send(res, 404, page('Not found', '<p>Unknown interaction route.</p>'));
    const [, uid, action] = match;

    let interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (err) {
      if (err instanceof oidcErrors.SessionNotFound) {
        return send(res, 400, page('Error', `<p class="error">${esc(err.error_description ?? err.message)}</p>`));
      }
      throw err;
    }
    if (interaction.uid !== uid) {
      return send(res, 400, page('Error', '<p class="error">interaction uid mismatch</p>'));
    }
    const promptName = interaction.prompt.name;

    if (req.method === 'GET' && !action) {
      if (promptName === 'login') return send(res, 200, loginPage(uid));
      if (promptName === 'consent') {
        if (autoConsent) {
          return provider.interactionFinished(req, res, await grantConsent(interaction), { mergeWithLastSubmission: true });
        }
        return send(res, 200, consentPage(uid, interaction.params.client_id, interaction.prompt.details));
      }
      return send(res, 501, page('Error', `<p class="error">unsupported prompt ${esc(promptName)}</p>`));
    }

    if (req.method !== 'POST' || !action) {
      res.setHeader('Allow', action ? 'POST' : 'GET');
      return send(res, 405, page('Error', '<p class="error">method not allowed</p>'));
    }

    const form = await readForm(req);

    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
    }

    if (action === 'login') {
      if (promptName !== 'login') {
        return send(res, 400, page('Error', '<p class="error">login is not the pending prompt</p>'));
      }
      const login = form.get('login');
      const user = findUserByLogin(login);
      if (!user || !passwordMatches(user, form.get('password'))) {
        return send(res, 401, loginPage(uid, { error: 'Invalid email or password.', login }));
      }
      return provider.interactionFinished(req, res, {
        login: { accountId: user.sub, amr: ['pwd'] },
      }, { mergeWithLastSubmission: false });
    }

    // action === 'confirm'
    if (promptName !== 'consent') {
      return send(res, 400, page('Error', '<p class="error">consent is not the pending prompt</p>'));
    }
    return provider.interactionFinished(req, res, await grantConsent(interaction), { mergeWithLastSubmission: true });
  }

  const providerCallback = provider.callback();

  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/interaction/')) {
      handleInteraction(req, res, url).catch((err) => {
        console.error('interaction error:', err);
        if (!res.headersSent) send(res, 500, page('Error', '<p class="error">internal error</p>'));
        else res.end();
      });
      return;
    }
    providerCallback(req, res);
  });

  // Static clients are validated lazily; validate now so bad metadata fails the start.
  try {
    if (!await provider.Client.find(client.client_id)) fail(`client ${client.client_id} not loaded`);
  } catch (err) {
    fail(`invalid client metadata: ${err.error_description ?? err.message}`);
  }

  process.stdout.write(`${JSON.stringify({ issuer, ready: true, pid: process.pid })}\n`);
});

server.on('error', (err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`));

// Exit when asked to, and when the parent goes away (it holds our stdin open).
const shutdown = () => {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.OIDC_PROVIDER_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
