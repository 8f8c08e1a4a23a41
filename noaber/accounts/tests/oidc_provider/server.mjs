// A real OpenID Provider for Noaber's tests: panva's oidc-provider on 127.0.0.1 over plain HTTP.
//
//   node server.mjs <config.json>
//
// The config (written by noaber/accounts/tests/oidc_op.py) names the port, the issuer, the
// signing key(s), the clients and the users. Besides the provider itself this server has:
//   /interaction/<uid>   a minimal login page (no devInteractions); consent is implicit
//   /_test/...           JSON control endpoints for the tests (users, key rotation, a one-shot
//                        tampered ID token, a back-channel logout on demand, a logout log)
// It prints exactly one line, "READY <issuer>", on stdout once it listens; everything else goes
// to stderr. Test use only: never deploy this.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { CompactSign, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';

// oidc-provider prints its notices with console.info; stdout is reserved for the READY line.
console.info = console.warn;
console.log = console.warn;

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { port, issuer } = config;
const users = structuredClone(config.users);
let signingKeys = [...config.keys]; // the first one signs; the others stay published in the JWKS
let tamper = null; // one-shot change to the next token response's id_token
const logouts = []; // back-channel logout requests the provider sent, newest last
const cookieKeys = [randomBytes(32).toString('hex')]; // shared by every Provider instance

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// ---------------------------------------------------------------------------------------------
// Storage shared by every Provider instance: key rotation builds a new Provider, and the
// sessions, grants, interactions and codes must survive that.
const store = new Map();
const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest']);

class SharedMemoryAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
    store.set(this.key(id), { model: this.model, payload, expiresAt });
  }

  async find(id) {
    const entry = store.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async #findBy(property, value) {
    for (const [key, entry] of store) {
      if (entry.model === this.model && entry.payload[property] === value) {
        return this.find(key.slice(this.model.length + 1));
      }
    }
    return undefined;
  }

  findByUid(uid) { return this.#findBy('uid', uid); }

  findByUserCode(userCode) { return this.#findBy('userCode', userCode); }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { store.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of store) {
      if (GRANT_BOUND.has(entry.model) && entry.payload.grantId === grantId) store.delete(key);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts and claims.

async function findAccount(ctx, sub) {
  if (!users[sub]) return undefined;
  return {
    accountId: sub,
    // Read at issue time, so /_test/users changes reach the next token.
    async claims() { return { ...users[sub]?.claims, sub }; },
  };
}

// Scope -> claims. `profile` carries groups and roles, so "openid profile email" is enough;
// a separate `groups` scope carries the same two for a client that asks for it by name.
// acr, amr and auth_time ride on `openid`: oidc-provider would otherwise put them in the ID
// token only when the request asks (acr_values, max_age, the claims parameter).
const CLAIMS = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username',
    'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
    'groups', 'roles'],
  email: ['email', 'email_verified'],
  groups: ['groups', 'roles'],
  acr: null,
  amr: null,
  auth_time: null,
  iss: null,
  sid: null,
};

// Advertised as acr_values_supported: the users' acr values at start.
const ACR_VALUES = [...new Set(Object.values(users).map((user) => user.acr).filter(Boolean))];

// First-party clients: whatever OIDC scopes and claims are asked for are granted, no consent.
async function loadExistingGrant(ctx) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!grant || grant.accountId !== oidc.session.accountId) {
    grant = new oidc.provider.Grant({
      accountId: oidc.session.accountId, clientId: oidc.client.clientId,
    });
  }
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

// Every authorization request shows the login form, also when the browser still has a session
// here: the tests then always see the same pages, and a changed user (amr, acr) takes effect.
function interactionPolicyAlwaysLogin() {
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(new interactionPolicy.Check(
    'always_authenticate',
    'this test provider authenticates on every authorization request',
    (ctx) => !ctx.oidc.result?.login,
  ));
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Pages (no external resources: the test browser has no network).

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — test OpenID Provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>${body}</main></body></html>`;
}

function loginPage(uid, { login = '', error = '' } = {}) {
  return page('Sign in', `<h1>Sign in</h1>
${error ? `<p id="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
  <p><label>Username <input name="login" value="${esc(login)}" autofocus></label></p>
  <p><label>Password <input name="password" type="password"></label></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p><a id="cancel" href="/interaction/${esc(uid)}/abort">Cancel</a></p>`);
}

// The end-session page confirms itself: "Sign out" (logout=yes, so the whole provider session
// ends and every client with a grant in it gets a back-channel logout) is clicked on load.
async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `<h1>Sign out</h1>
${form}
<button id="logout-confirm" type="submit" form="op.logoutForm" name="logout" value="yes">
  Sign out</button>
<script>
  document.addEventListener('DOMContentLoaded',
    () => document.getElementById('logout-confirm').click());
</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<h1>Signed out</h1>');
}

// The error page: <span class="error"> and <span class="error_description"> hold the values.
async function renderError(ctx, out) {
  const rows = Object.entries(out).map(([key, value]) => (
    `<p><strong>${esc(key)}</strong>: <span class="${esc(key)}">${esc(value)}</span></p>`));
  ctx.type = 'html';
  ctx.body = page('Error', `<h1>Error</h1>${rows.join('')}`);
}

// ---------------------------------------------------------------------------------------------
// Outgoing requests (back-channel logout).

// oidc-provider refuses to connect to special-use addresses (SSRF guard), 127.0.0.0/8 included;
// Noaber's test server is on loopback, so requests to loopback leave without that guard.
async function backchannelFetch(url, options) {
  if (LOOPBACK.has(new URL(url).hostname)) delete options.dispatcher;
  options.signal = AbortSignal.timeout(10_000); // the default 2.5 s is tight for a busy CI
  const entry = {
    url: String(url), at: new Date().toISOString(),
    logout_token: options.body instanceof URLSearchParams ? options.body.get('logout_token') : null,
  };
  logouts.push(entry);
  if (logouts.length > 50) logouts.shift();
  try {
    const response = await fetch(url, options);
    entry.status = response.status;
    entry.body = (await response.clone().text()).slice(0, 500);
    return response;
  } catch (err) {
    entry.error = String(err.cause ?? err);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The one-shot tampered ID token.

function b64url(object) {
  return Buffer.from(JSON.stringify(object)).toString('base64url');
}

function applyChanges(target, changes) {
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete target[name];
    else target[name] = value;
  }
  return target;
}

async function retoken(idToken, { claims, key, header }) {
  const payload = applyChanges(decodeJwt(idToken), claims);
  const signer = key ?? signingKeys[0];
  const protectedHeader = applyChanges(
    { ...decodeProtectedHeader(idToken), alg: 'RS256', kid: signer.kid },
    header,
  );
  if (protectedHeader.alg === 'none') return `${b64url(protectedHeader)}.${b64url(payload)}.`;
  const { alg, ...jwk } = signer; // eslint-disable-line no-unused-vars
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(protectedHeader)
    .sign(await importJWK(jwk, protectedHeader.alg));
}

async function tamperMiddleware(ctx, next) {
  await next();
  if (tamper && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const change = tamper;
    tamper = null;
    ctx.body = { ...ctx.body, id_token: await retoken(ctx.body.id_token, change) };
  }
}

// ---------------------------------------------------------------------------------------------
// The Provider. Rebuilt (same storage, same cookie keys) when the signing key changes.

function buildProvider() {
  const provider = new Provider(issuer, {
    adapter: SharedMemoryAdapter,
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'], response_types: ['code'], ...client,
    })),
    jwks: { keys: signingKeys },
    findAccount,
    claims: CLAIMS,
    conformIdTokenClaims: false, // the ID token itself carries the scopes' claims
    scopes: ['openid'],
    acrValues: ACR_VALUES,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true }, // S256 is the only method oidc-provider supports
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    cookies: {
      keys: cookieKeys,
      // Browsers share cookies between ports of one host; two test providers must not clash.
      names: {
        session: `_op_session_${port}`,
        interaction: `_op_interaction_${port}`,
        resume: `_op_interaction_resume_${port}`,
      },
    },
    interactions: {
      policy: interactionPolicyAlwaysLogin(),
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    loadExistingGrant,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    ttl: {
      AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600,
      Session: 86400, Grant: 86400,
    },
    renderError,
    fetch: backchannelFetch,
  });
  provider.use(tamperMiddleware);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  provider.on('backchannel.error', (ctx, err, client) => console.error(
    `backchannel logout to ${client.clientId} failed: ${err.message}`,
  ));
  for (const event of ['authorization.error', 'grant.error', 'end_session.error']) {
    provider.on(event, (ctx, err) => console.error(
      `${event}: ${err.message} ${err.error_description ?? ''}`,
    ));
  }
  return provider;
}

let provider;
let handle;

async function useProvider(next) {
  for (const { client_id: clientId } of config.clients) {
    await next.Client.find(clientId); // invalid client metadata fails here, not at first login
  }
  provider = next;
  handle = next.callback();
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing.

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'application/json') {
  const text = type === 'application/json' ? JSON.stringify(body) : body;
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(text);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, { error: 'interaction mismatch' });

  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name !== 'login') {
    // loadExistingGrant grants everything, so this is not expected; finish it all the same.
    const grant = new provider.Grant({
      accountId: details.session.accountId, clientId: details.params.client_id,
    });
    grant.addOIDCScope(details.params.scope);
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
  }
  if (action !== 'login' || req.method !== 'POST') {
    return send(res, 200, loginPage(uid, { login: details.params.login_hint }), 'text/html');
  }

  const form = new URLSearchParams(await readBody(req));
  const login = form.get('login') ?? '';
  const user = Object.hasOwn(users, login) ? users[login] : undefined;
  if (!user || user.password !== form.get('password')) {
    const error = 'Invalid username or password.';
    return send(res, 200, loginPage(uid, { login, error }), 'text/html');
  }
  return provider.interactionFinished(req, res, {
    login: {
      accountId: login,
      ...(user.amr ? { amr: user.amr } : {}),
      ...(user.acr ? { acr: user.acr } : {}),
    },
  }, { mergeWithLastSubmission: false });
}

async function testControl(req, res, path) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  let match;

  if ((match = /^\/_test\/users\/([^/]+)$/.exec(path)) && req.method === 'POST') {
    const sub = decodeURIComponent(match[1]);
    const user = users[sub] ?? (users[sub] = { claims: {} });
    for (const field of ['password', 'claims', 'amr', 'acr']) {
      if (!(field in body)) continue;
      if (body[field] === null) delete user[field];
      else user[field] = body[field];
    }
    return send(res, 200, { sub, user });
  }
  if (path === '/_test/rotate' && req.method === 'POST') {
    if (!body.key?.kid) return send(res, 400, { error: 'key with a kid required' });
    signingKeys = [body.key, ...signingKeys.filter((key) => key.kid !== body.key.kid)];
    await useProvider(buildProvider());
    return send(res, 200, { kids: signingKeys.map((key) => key.kid) });
  }
  if (path === '/_test/tamper' && req.method === 'POST') {
    tamper = { claims: body.claims ?? {}, key: body.key ?? undefined, header: body.header ?? {} };
    return send(res, 200, { armed: true });
  }
  if (path === '/_test/backchannel' && req.method === 'POST') {
    const client = await provider.Client.find(body.client_id);
    if (!client?.backchannelLogoutUri) {
      return send(res, 400, { error: `no client ${body.client_id} with a backchannel_logout_uri` });
    }
    const before = logouts.length;
    let error = null;
    try {
      await client.backchannelLogout(body.sub, body.sid);
    } catch (err) {
      error = err.message;
    }
    const sent = logouts.length > before ? logouts.at(-1) : undefined;
    return send(res, 200, {
      status: sent?.status ?? null, error: sent?.error ?? error,
      logout_token: sent?.logout_token ?? null, body: sent?.body ?? null,
    });
  }
  if (path === '/_test/last-logout' && req.method === 'GET') {
    return send(res, 200, { last: logouts.at(-1) ?? null, count: logouts.length, logouts });
  }
  return send(res, 404, { error: `no test endpoint ${req.method} ${path}` });
}

const server = createServer(async (req, res) => {
  try {
    const path = new URL(req.url, issuer).pathname;
    const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(path);
    if (path.startsWith('/_test/')) await testControl(req, res, path);
    else if (match) await interaction(req, res, match[1], match[2]);
    else handle(req, res);
  } catch (err) {
    // oidc-provider's errors (e.g. SessionNotFound for an expired interaction) carry a status.
    console.error(err);
    if (res.headersSent) return res.end();
    send(res, err.statusCode ?? 500, {
      error: err.error ?? 'server_error', error_description: err.error_description ?? err.message,
    });
  }
});

await useProvider(buildProvider());
server.on('error', (err) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(err.code === 'EADDRINUSE' ? 3 : 1);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${issuer}\n`));

// Started by oidc_op.py with a pipe on stdin: when the test process dies, the pipe closes and
// this provider goes with it instead of lingering on its port.
if (config.exit_with_stdin) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  });
}
