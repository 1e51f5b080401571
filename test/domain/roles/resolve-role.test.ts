import { meetsRole, resolveRole } from "../../../src/domain/roles/resolve-role.js";

describe("resolveRole", () => {
  it.each<[string, object | undefined, string]>([
    ["admin", { permission: "admin", role_name: "admin" }, "admin"],
    ["maintain shows as write in the legacy field", { permission: "write", role_name: "maintain" }, "maintain"],
    ["triage shows as read in the legacy field", { permission: "read", role_name: "triage" }, "triage"],
    ["read", { permission: "read", role_name: "read" }, "read"],
    [
      "custom role based on write",
      {
        permission: "write",
        role_name: "deployer",
        user: { permissions: { pull: true, triage: true, push: true, maintain: false, admin: false } },
      },
      "write",
    ],
    [
      "custom role based on triage",
      { permission: "read", role_name: "helper", user: { permissions: { pull: true, triage: true, push: false } } },
      "triage",
    ],
    ["no permissions at all", { permission: "none", role_name: "none" }, "none"],
  ])("%s", (_name, answer, role) => {
    expect(resolveRole(answer as never)).toEqual({ ok: true, role });
  });

  it.each<[string, object | undefined]>([
    ["custom role without base permissions", { permission: "write", role_name: "deployer" }],
    ["no role_name and no permissions (the legacy field alone is not trusted)", { permission: "write" }],
    ["no answer", undefined],
  ])("cannot determine: %s", (_name, answer) => {
    expect(resolveRole(answer as never)).toMatchObject({ ok: false });
  });
});

describe("meetsRole", () => {
  it.each<[string, string, boolean]>([
    ["none", "anyone", true],
    ["none", "read", false],
    ["read", "triage", false],
    ["triage", "triage", true],
    ["write", "triage", true],
    ["triage", "write", false],
    ["maintain", "write", true],
    ["write", "maintain", false],
    ["admin", "maintain", true],
  ])("%s meets %s: %s", (role, min, expected) => {
    expect(meetsRole(role as never, min as never)).toBe(expected);
  });
});
