// Sign-in. The token lives in this module's memory only (never localStorage or a cookie): a reload
// signs out. Locally the server lists demo users and mints their tokens (POST /_local/console/token);
// deployed, each app's Cognito managed login runs the authorization code flow with PKCE (RFC 7636).

export const session = { token: null, me: null, app: null };

// A sign-in problem, shown like an API error: a title, a code and the detail.
function authError(code, detail) {
  return Object.assign(new Error(detail), { code, title: "Sign-in failed", detail });
}

export function signOut() {
  session.token = null;
  session.me = null;
  session.app = null;
}

let config = null;
export async function loadConfig() {
  if (config) return config;
  const response = await fetch("config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw authError("console_config_missing", `config.json answered ${response.status}.`);
  config = await response.json();
  return config;
}

// ------------------------------------------------------------------ local sign-in

export async function localUsers() {
  const response = await fetch("/_local/console/users");
  if (!response.ok) throw authError("demo_users_unavailable", `The local server did not list its demo users (${response.status}).`);
  return (await response.json()).data;
}

export async function localSignIn(userId) {
  const response = await fetch("/_local/console/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: userId }),
  });
  const value = await response.json();
  if (!response.ok) throw authError(value.code || `http_${response.status}`, value.detail || "The local server refused the sign-in.");
  session.token = value.token;
  session.app = value.app;
}

// ------------------------------------------------------------------ Cognito managed login + PKCE

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomVerifier() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function codeChallenge(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

// The verifier and state must survive the redirect to the login page and back; they are not
// credentials (useless without the code, which only the redirect carries) and are removed at once.
export async function startCognitoSignIn(app) {
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem("orgplane.pkce", JSON.stringify({ verifier, state, app: app.id }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: app.client_id,
    redirect_uri: redirectUri(),
    scope: "openid email profile",
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`${app.domain.replace(/\/$/, "")}/oauth2/authorize?${query}`);
}

// On return from the managed login: trade the code for tokens, keep the id token in memory.
export async function finishCognitoSignIn(cfg) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return false;
  const pending = JSON.parse(sessionStorage.getItem("orgplane.pkce") || "null");
  sessionStorage.removeItem("orgplane.pkce");
  history.replaceState(null, "", redirectUri() + location.hash);
  if (params.has("error")) throw authError(params.get("error"), params.get("error_description") || "The login page refused the sign-in.");
  if (!pending || pending.state !== params.get("state")) throw authError("state_mismatch", "The login answer did not match the request this browser made (state); sign in again.");
  const app = (cfg.apps || []).find((a) => a.id === pending.app);
  if (!app) throw authError("unknown_app", "The login answered for an app this console does not know.");
  const response = await fetch(`${app.domain.replace(/\/$/, "")}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: app.client_id,
      code: params.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const value = await response.json().catch(() => ({}));
  if (!response.ok || !value.id_token) throw authError(value.error || `http_${response.status}`, value.error_description || "The login domain gave no id token for the code.");
  session.token = value.id_token;
  session.app = app.id;
  return true;
}
