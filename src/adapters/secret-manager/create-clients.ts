import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { ProjectsClient } from "@google-cloud/resource-manager";
import { checkGoogleCredentials, emulatorOptions } from "../cloud-run/create-clients.js";

/**
 * The clients the fix verification reads through: Secret Manager (metadata only: ListSecrets, GetSecret,
 * GetSecretVersion, GetIamPolicy; never AccessSecretVersion) and Resource Manager (a project's number and IAM policy).
 */
export interface SecretManagerClients {
  secrets: SecretManagerServiceClient;
  projects: ProjectsClient;
  /**
   * Finds the Google credentials, or throws a `GoogleCredentialsError` (see `checkGoogleCredentials`): call it before
   * the first request, as for Cloud Run. Absent for an emulator.
   */
  checkCredentials?(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the clients. With `emulatorHost` ("host:port", from `SECRET_MANAGER_EMULATOR_HOST`) both talk plain-text
 * gRPC to that address with no Google credentials (one stand-in serves both APIs in tests); otherwise they use
 * Application Default Credentials.
 */
export function createSecretManagerClients(
  emulatorHost: string | undefined,
  /** `GOOGLE_APPLICATION_CREDENTIALS`, as for the Cloud Run clients. */
  credentialsFile?: string,
): SecretManagerClients {
  const options = emulatorHost ? emulatorOptions(emulatorHost, "SECRET_MANAGER_EMULATOR_HOST") : {};
  const secrets = new SecretManagerServiceClient(options);
  const projects = new ProjectsClient(options);
  return {
    secrets,
    projects,
    ...(emulatorHost
      ? {}
      : {
          checkCredentials: (timeoutMs: number) =>
            checkGoogleCredentials([secrets.auth, projects.auth], timeoutMs, credentialsFile),
        }),
    async close() {
      await Promise.all([secrets.close(), projects.close()]);
    },
  };
}
