import { signBody, verifySignature } from "../../../src/entry/server/verify-signature.js";

describe("verifySignature", () => {
  const body = Buffer.from('{"action":"labeled"}');
  it.each([
    ["the right signature", signBody("s3cret", body), true],
    ["upper-case hex", signBody("s3cret", body).toUpperCase().replace("SHA256", "sha256"), true],
    ["another secret", signBody("other", body), false],
    ["another body", signBody("s3cret", '{"action":"opened"}'), false],
    ["sha1", "sha1=0123456789abcdef0123456789abcdef01234567", false],
    ["not hex", `sha256=${"z".repeat(64)}`, false],
    ["too short", "sha256=abcd", false],
    ["empty", "", false],
  ])("%s", (_name, signature, expected) => {
    expect(verifySignature("s3cret", body, signature)).toBe(expected);
  });
});
