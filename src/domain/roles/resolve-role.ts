/** The repository roles, weakest first. `anyone` is not a role: it means no check at all. */
export const ROLES = ["read", "triage", "write", "maintain", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type MinimumRole = "anyone" | Role;

/** What `GET /repos/{o}/{r}/collaborators/{user}/permission` returns, as far as the app reads it. */
export interface PermissionAnswer {
  permission?: string;
  role_name?: string;
  user?: {
    permissions?: { admin?: boolean; maintain?: boolean; push?: boolean; triage?: boolean; pull?: boolean };
  } | null;
}

export type RoleResult = { ok: true; role: Role | "none" } | { ok: false; reason: string };

/**
 * A user's role from the permission API. `role_name` is the real role (the legacy `permission` shows maintain as write
 * and triage as read, so it is never used). A custom role's name says nothing about its rank: its base permissions,
 * the `user.permissions` booleans, decide. When neither says anything, the role cannot be determined.
 */
export function resolveRole(answer: PermissionAnswer | undefined): RoleResult {
  const name = answer?.role_name;
  if (name && (ROLES as readonly string[]).includes(name)) return { ok: true, role: name as Role };
  if (name === "none") return { ok: true, role: "none" };
  const p = answer?.user?.permissions;
  if (p) {
    if (p.admin) return { ok: true, role: "admin" };
    if (p.maintain) return { ok: true, role: "maintain" };
    if (p.push) return { ok: true, role: "write" };
    if (p.triage) return { ok: true, role: "triage" };
    if (p.pull) return { ok: true, role: "read" };
    return { ok: true, role: "none" };
  }
  return {
    ok: false,
    reason: name
      ? `GitHub reports the custom role \`${name}\` without its base permissions, so its rank is unknown`
      : "GitHub's permission answer names no role",
  };
}

/** Whether `role` is at least `minimum`. */
export function meetsRole(role: Role | "none", minimum: MinimumRole): boolean {
  if (minimum === "anyone") return true;
  if (role === "none") return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/**
 * `user`'s role on the repository, asked through `permissionOf` (the collaborator permission API). GitHub answers 404
 * for someone who is not a collaborator: no role. Any other refusal leaves the role undetermined.
 */
export async function fetchRole(
  permissionOf: (user: string) => Promise<PermissionAnswer>,
  user: string,
): Promise<RoleResult> {
  try {
    return resolveRole(await permissionOf(user));
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return { ok: true, role: "none" };
    return { ok: false, reason: `GitHub's permission API answered ${status ?? "with an error"}` };
  }
}

/** Whether someone may do what needs `minimum`: allowed, or refused with their role (or why it is unknown). */
export type RoleVerdict = { allowed: true } | { allowed: false; role: RoleResult };

/**
 * The app's one role check, for `user` (the slash-commands and the trigger label both use it): a function of the
 * minimum role that answers whether `user` has it. `anyone` asks GitHub nothing; otherwise the role is asked once
 * and remembered, so the commands of one comment cost one request.
 */
export function roleCheck(
  permissionOf: (user: string) => Promise<PermissionAnswer>,
  user: string,
): (minimum: MinimumRole) => Promise<RoleVerdict> {
  let role: Promise<RoleResult> | undefined;
  return async (minimum) => {
    if (minimum === "anyone") return { allowed: true };
    role ??= fetchRole(permissionOf, user);
    const found = await role;
    return found.ok && meetsRole(found.role, minimum) ? { allowed: true } : { allowed: false, role: found };
  };
}
