import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signIn } from "@gridatlas/server/test-support/test-session.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export type ServerProcess = { url: string; child: ChildProcess; stop(signal?: NodeJS.Signals): Promise<void> };

/**
 * The server as its own operating-system process (what `npm start` runs), for tests and benchmarks that kill it
 * or load it from outside.
 */
export async function startServerProcess(
  databaseUrl: string,
  port: number,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  // node itself, with tsx as a loader: the tsx command runs the server as a child process, which a SIGKILL
  // of the command would leave running.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/src/main.ts")], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    stop: (signal = "SIGTERM") =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
}

/** Signs in over HTTP and returns headers for further requests (cookie and CSRF token). */
export async function signInOverHttp(url: string, username: string, password: string): Promise<Record<string, string>> {
  const session = await signIn({ request: (path, init) => fetch(`${url}${path}`, init) }, username, password);
  return { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json" };
}
