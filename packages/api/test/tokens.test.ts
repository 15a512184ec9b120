import { createHmac } from "node:crypto";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  createTokenService,
  DomainError,
  isRememberableToken,
} from "@ledgerflow/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userFromAuthorization } from "../src/context";
import { TEST_JWT_SECRET, useTestEnv } from "./helpers";
import { bearer, errorOf, get, useApps } from "./http-helpers";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * Signs a JWT by hand, independently of the code under test, so that each refusal below
 * is about the one claim a test changes and not about how the token was made.
 */
function handSign(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret = TEST_JWT_SECRET,
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  const alg = header.alg === "HS512" ? "sha512" : "sha256";
  return `${head}.${createHmac(alg, secret).update(head).digest("base64url")}`;
}

function goodClaims(sub: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    use: "access",
    sub,
    iss: "ledgerflow",
    aud: "ledgerflow-api",
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

const GOOD_HEADER = { alg: "HS256", typ: "at+jwt" };

describe("access tokens", () => {
  const env = useTestEnv();
  const makeApp = useApps(env);

  /** The status and error code auth.me answers over HTTP when sent this token. */
  async function meWith(token: string): Promise<{ status: number; code: string | undefined }> {
    const app = await makeApp();
    const res = await get(app, "auth.me", undefined, bearer(token));
    return {
      status: res.statusCode,
      code: res.statusCode === 200 ? undefined : errorOf(res).data.code,
    };
  }

  async function expectRefused(token: string): Promise<void> {
    await expect(env.auth.tokens.verifyAccess(token)).rejects.toSatisfy(
      (e) => e instanceof DomainError && e.code === "UNAUTHORIZED",
    );
    expect(await meWith(token)).toEqual({ status: 401, code: "UNAUTHORIZED" });
  }

  it("accepts a token it issued, over HTTP and in the service", async () => {
    const u = await env.signUp("tok@example.com");
    expect(await env.auth.tokens.verifyAccess(u.tokens.accessToken)).toEqual({ userId: u.id });
    expect(await meWith(u.tokens.accessToken)).toEqual({ status: 200, code: undefined });
    const { user } = await userFromAuthorization(env.auth, `bearer ${u.tokens.accessToken}`);
    expect(user).toEqual({ id: u.id });
  });

  it("accepts a hand-made token with every expected claim (the control for the refusals)", async () => {
    const u = await env.signUp("control@example.com");
    const token = handSign(GOOD_HEADER, goodClaims(u.id));
    expect(await env.auth.tokens.verifyAccess(token)).toEqual({ userId: u.id });
    expect(await meWith(token)).toEqual({ status: 200, code: undefined });
  });

  it("refuses alg: none", async () => {
    const u = await env.signUp();
    await expectRefused(`${b64({ alg: "none", typ: "at+jwt" })}.${b64(goodClaims(u.id))}.`);
  });

  it("refuses another HMAC algorithm with the same secret", async () => {
    const u = await env.signUp();
    await expectRefused(handSign({ alg: "HS512", typ: "at+jwt" }, goodClaims(u.id)));
  });

  it("refuses an expired token, and keeps one valid for its 15 minutes", async () => {
    const u = await env.signUp();
    const now = Date.now();
    const stale = await env.auth.tokens.signAccess(u.id, new Date(now - 16 * 60_000));
    expect(stale.expiresAt.getTime()).toBeLessThan(now);
    await expectRefused(stale.token);
    await expect(env.auth.tokens.verifyAccess(stale.token)).rejects.toThrow(/expired/i);

    const past = Math.floor(now / 1000) - 120;
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { iat: past - 900, exp: past })));

    const fresh = await env.auth.tokens.signAccess(u.id, new Date(now - 14 * 60_000));
    expect(await env.auth.tokens.verifyAccess(fresh.token)).toEqual({ userId: u.id });
    expect(ACCESS_TOKEN_TTL_SECONDS).toBe(15 * 60);
  });

  describe("once verified", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("still refuses the token when it expires", async () => {
      const u = await env.signUp();
      const now = Date.now();
      const nowSeconds = Math.floor(now / 1000);
      const token = handSign(GOOD_HEADER, goodClaims(u.id, { exp: nowSeconds + 2 }));
      expect(await env.auth.tokens.verifyAccess(token)).toEqual({ userId: u.id });
      expect(await meWith(token)).toEqual({ status: 200, code: undefined });

      vi.useFakeTimers({ toFake: ["Date"] });
      // One millisecond before the second of its expiry: still valid, as jose has it.
      vi.setSystemTime((nowSeconds + 2) * 1000 - 1);
      expect(await env.auth.tokens.verifyAccess(token)).toEqual({ userId: u.id });
      // The second of its expiry: refused, over HTTP and in the service, as expired.
      vi.setSystemTime((nowSeconds + 2) * 1000);
      await expectRefused(token);
      await expect(env.auth.tokens.verifyAccess(token)).rejects.toThrow(/expired/i);
    });

    it("accepts only the exact token: a token differing in its signature is refused", async () => {
      const u = await env.signUp();
      const token = u.tokens.accessToken;
      expect(await env.auth.tokens.verifyAccess(token)).toEqual({ userId: u.id });
      // One character in the middle of the signature changed.
      const i = token.length - 20;
      await expectRefused(
        `${token.slice(0, i)}${token[i] === "A" ? "B" : "A"}${token.slice(i + 1)}`,
      );
      expect(await env.auth.tokens.verifyAccess(token)).toEqual({ userId: u.id });
    });

    it("remembers only tokens in the shape it signs, not the other spellings jose accepts", async () => {
      const u = await env.signUp();
      const token = u.tokens.accessToken;
      expect(isRememberableToken(token)).toBe(true);
      // jose decodes the signature leniently: these verify, and each is a different string.
      const spellings = [`${token} `, `${token}=`, `${token}${" ".repeat(5000)}`];
      const i = token.length - 10;
      spellings.push(`${token.slice(0, i)}\n${token.slice(i)}`);
      for (const spelling of spellings) {
        expect(await env.auth.tokens.verifyAccess(spelling)).toEqual({ userId: u.id });
        expect(isRememberableToken(spelling)).toBe(false);
      }
      expect(
        isRememberableToken(`${token.split(".")[0]}.${"a".repeat(1000)}.${"b".repeat(43)}`),
      ).toBe(false);
    });
  });

  it("refuses a tampered token", async () => {
    const a = await env.signUp();
    const b = await env.signUp();
    const [head, payload, sig] = a.tokens.accessToken.split(".");
    if (!head || !payload || !sig) throw new Error("an access token has three parts");

    // One character of the payload flipped.
    const i = Math.floor(payload.length / 2);
    const flipped = payload[i] === "A" ? "B" : "A";
    await expectRefused(`${head}.${payload.slice(0, i)}${flipped}${payload.slice(i + 1)}.${sig}`);

    // The subject swapped for another user's, signature kept.
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    await expectRefused(`${head}.${b64({ ...claims, sub: b.id })}.${sig}`);

    // Signed with another secret.
    await expectRefused(
      handSign(GOOD_HEADER, goodClaims(a.id), "another-secret-that-is-at-least-32-bytes"),
    );
    const other = createTokenService("yet-another-secret-that-is-32-bytes-or-more");
    await expectRefused((await other.signAccess(a.id)).token);
  });

  it("refuses a wrong issuer or audience", async () => {
    const u = await env.signUp();
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { iss: "someone-else" })));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { aud: "another-api" })));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { iss: undefined })));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { aud: undefined })));
  });

  it("refuses a token of another kind", async () => {
    const u = await env.signUp();
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { use: undefined })));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { use: "refresh" })));
    await expectRefused(handSign({ alg: "HS256", typ: "JWT" }, goodClaims(u.id)));
    await expectRefused(handSign({ alg: "HS256" }, goodClaims(u.id)));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { sub: undefined })));
    await expectRefused(handSign(GOOD_HEADER, goodClaims(u.id, { exp: undefined })));
  });

  it("refuses a refresh token used as an access token", async () => {
    const u = await env.signUp();
    await expectRefused(u.tokens.refreshToken);
  });

  it("refuses a malformed Authorization header instead of treating the call as anonymous", async () => {
    const u = await env.signUp();
    const app = await makeApp();
    for (const header of [u.tokens.accessToken, `Basic ${u.tokens.accessToken}`, "Bearer"]) {
      const res = await get(app, "auth.me", undefined, { authorization: header });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).message).toMatch(/Bearer/);
    }
  });
});
