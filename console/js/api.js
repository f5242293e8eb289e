// The public API, with the signed-in user's token. Every answer that is not 2xx becomes an ApiError
// carrying the problem+json code, title and detail, which ui.errorBox shows in words.
import { session } from "./auth.js";

export class ApiError extends Error {
  constructor(status, problem) {
    const title = problem.title || `HTTP ${status}`;
    super(problem.detail || title);
    this.status = status;
    this.code = problem.code || `http_${status}`;
    this.title = title;
    this.detail = problem.detail || "";
    this.requestId = problem.request_id || "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

let unauthorized = () => {};
// Called with the ApiError when the API answers 401 to a signed-in call (expired or refused token).
export function onUnauthorized(handler) { unauthorized = handler; }


export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, { code: "network_error", title: "The API could not be reached", detail: String(error.message || error) });
  }
  const text = await response.text();
  let value = null;
  if (text) {
    try { value = JSON.parse(text); } catch { value = null; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, value && typeof value === "object" ? value : {});
    if (response.status === 401 && token && token === session.token) unauthorized(error);
    throw error;
  }
  return value;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body ?? {});
export const patch = (path, body) => call("PATCH", path, body);
export const put = (path, body) => call("PUT", path, body ?? {});
export const del = (path) => call("DELETE", path);

// A path with a query string from the defined, non-empty values of `params`.
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export const seg = encodeURIComponent;
