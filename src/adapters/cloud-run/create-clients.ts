import { ServicesClient, RevisionsClient } from "@google-cloud/run";
import gax from "google-gax";

/** The two Cloud Run Admin API v2 clients the live check reads through. */
export interface CloudRunClients {
  services: ServicesClient;
  revisions: RevisionsClient;
  /**
   * Finds the Google credentials the clients will use, or throws a `GoogleCredentialsError` within `timeoutMs`.
   * Call it before the first request: a client that starts without credentials fails in a way its caller never sees
   * (see `checkGoogleCredentials`). Absent when no credentials are needed (an emulator, a test's fake).
   */
  checkCredentials?(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** No usable Google credentials were found: the message says which source failed and how, without file paths. */
export class GoogleCredentialsError extends Error {
  override name = "GoogleCredentialsError";
  constructor(
    message: string,
    /** The file named by GOOGLE_APPLICATION_CREDENTIALS is the one that failed (missing or not a credential file). */
    readonly fromFile = false,
  ) {
    super(message);
  }
}

/**
 * Creates the Cloud Run clients.
 *
 * With `emulatorHost` ("host:port", from `CLOUD_RUN_EMULATOR_HOST`) the clients talk plain-text gRPC to that address
 * and use no Google credentials, like Google's other `*_EMULATOR_HOST` variables. Otherwise they use Application
 * Default Credentials against run.googleapis.com.
 */
export function createCloudRunClients(
  emulatorHost: string | undefined,
  /** `GOOGLE_APPLICATION_CREDENTIALS`, to say in errors whether the credentials came from a file. */
  credentialsFile?: string,
): CloudRunClients {
  const options = emulatorHost ? emulatorOptions(emulatorHost) : {};
  const services = new ServicesClient(options);
  const revisions = new RevisionsClient(options);
  return {
    services,
    revisions,
    ...(emulatorHost
      ? {}
      : {
          checkCredentials: (timeoutMs: number) =>
            checkGoogleCredentials([services.auth, revisions.auth], timeoutMs, credentialsFile),
        }),
    async close() {
      await Promise.all([services.close(), revisions.close()]);
    },
  };
}

/** The options for a plain-text emulator at "host:port" (no Google credentials, no metadata-server probe); throws,
 * naming `variable`, if it is not one. */
export function emulatorOptions(hostPort: string, variable = "CLOUD_RUN_EMULATOR_HOST") {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hostPort.trim());
  if (!match) {
    throw new Error(`${variable} must be host:port (for example 127.0.0.1:8085), got "${hostPort}"`);
  }
  return {
    apiEndpoint: match[1],
    port: Number(match[2]),
    // The credentials object must come from google-gax's own copy of grpc-js; another copy is rejected.
    sslCreds: gax.grpc.credentials.createInsecure(),
    // Without it the client probes the GCE metadata server to learn the universe domain, which is slow offline.
    universeDomain: "googleapis.com",
  };
}

type Auth = Pick<InstanceType<typeof gax.GoogleAuth>, "getClient">;

/**
 * Resolves once each client's Application Default Credentials are found (a key or credential file, a gcloud login, or
 * the metadata server of Google Cloud), else rejects with a `GoogleCredentialsError`.
 *
 * Why ask first: when a `@google-cloud/run` client finds no credentials, the rejection of its stub is rethrown in a
 * floating promise and from a callback (an unhandled rejection, then an uncaught exception), and the call's own
 * promise never settles; the stub stays rejected for the life of the client. Asking the client's own `GoogleAuth`
 * first turns that into an error of this call, and the stub is only built once credentials exist. A success is cached
 * by `GoogleAuth`, so later calls cost nothing; a failure is not, so the next check looks again.
 */
export async function checkGoogleCredentials(
  auths: Auth[],
  timeoutMs: number,
  file: string | undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GoogleCredentialsError(`looking for Application Default Credentials took longer than ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([Promise.all(auths.map((auth) => auth.getClient())), late]);
  } catch (error) {
    if (error instanceof GoogleCredentialsError) throw error;
    throw describeCredentialsError(error, file);
  } finally {
    clearTimeout(timer);
  }
}

/** google-auth-library's error, said without the host's file path (it may reach an issue comment). */
function describeCredentialsError(error: unknown, file: string | undefined): GoogleCredentialsError {
  const message = String((error as Error)?.message ?? error).split("\n")[0];
  if (!file) return new GoogleCredentialsError(message);
  const missing =
    (error as NodeJS.ErrnoException)?.code === "ENOENT" || /does not exist, or it is not a file/.test(message);
  if (missing)
    return new GoogleCredentialsError(
      "GOOGLE_APPLICATION_CREDENTIALS names a file that does not exist (or is not a file)",
      true,
    );
  const said = message.split(file).join("the file");
  return new GoogleCredentialsError(
    `GOOGLE_APPLICATION_CREDENTIALS names a file that is not a valid credential file: ${said}`,
    true,
  );
}
