import { TEST_PASSWORD } from "./test-database.ts";

/** The app (its `request`), or a server over HTTP: `{ request: (path, init) => fetch(url + path, init) }`. */
type AnyApp = { request(path: string, init?: RequestInit): Response | Promise<Response> };

export type TestSession = {
  cookie: string;
  csrf: string;
  /** app.request with the session cookie and, on changes, the CSRF token. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON request with a method and body. */
  send(method: string, path: string, body?: unknown): Promise<Response>;
};

/** Signs an account in through the real route, as a browser would. */
export async function signIn(app: AnyApp, username: string, password = TEST_PASSWORD): Promise<TestSession> {
  const res = await app.request("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrf_token } = (await res.json()) as { csrf_token: string };
  const request = async (path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: { cookie, "x-csrf-token": csrf_token, ...(init.headers as Record<string, string> | undefined) },
    });
  return {
    cookie,
    csrf: csrf_token,
    request,
    send: (method, path, body) =>
      request(path, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
