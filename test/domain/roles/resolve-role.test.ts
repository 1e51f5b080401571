import { meetsRole, resolveRole, roleCheck, type PermissionAnswer } from "../../../src/domain/roles/resolve-role.js";

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

describe("roleCheck", () => {
  const answers = (answer: () => Promise<PermissionAnswer>) => {
    const asked: string[] = [];
    return { asked, permissionOf: (user: string) => (asked.push(user), answer()) };
  };

  it("asks GitHub once for all the checks of one person, and nothing for `anyone`", async () => {
    const github = answers(async () => ({ role_name: "triage" }));
    const may = roleCheck(github.permissionOf, "mona");
    expect(await may("anyone")).toEqual({ allowed: true });
    expect(github.asked).toEqual([]);
    expect(await may("triage")).toEqual({ allowed: true });
    expect(await may("write")).toEqual({ allowed: false, role: { ok: true, role: "triage" } });
    expect(github.asked).toEqual(["mona"]);
  });

  it.each<{ name: string; answer: () => Promise<PermissionAnswer>; verdict: unknown }>([
    {
      name: "not a collaborator (404): no role",
      answer: () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 })),
      verdict: { allowed: false, role: { ok: true, role: "none" } },
    },
    {
      name: "GitHub failing (502): the role is unknown, so refused",
      answer: () => Promise.reject(Object.assign(new Error("Bad Gateway"), { status: 502 })),
      verdict: { allowed: false, role: { ok: false, reason: "GitHub's permission API answered 502" } },
    },
    {
      name: "a custom role with write base permissions",
      answer: async () => ({ role_name: "deployer", user: { permissions: { push: true } } }),
      verdict: { allowed: true },
    },
  ])("refuses or allows `write` for $name", async ({ answer, verdict }) => {
    expect(await roleCheck(answers(answer).permissionOf, "mona")("write")).toEqual(verdict);
  });
});
