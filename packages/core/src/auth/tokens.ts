import { createHash, randomBytes, webcrypto } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { DomainError } from "../errors";

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const ALG = "HS256";
const ISSUER = "ledgerflow";
const AUDIENCE = "ledgerflow-api";
/** Set in every access token; a token without it (any other kind of JWT) is refused. */
const TOKEN_USE = "access";
/**
 * How many verified access tokens a token service remembers. A client sends the same token
 * with every call for up to 15 minutes, so one entry per active session is plenty.
 */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
/** Three base64url parts, the last an HS256 signature (32 bytes, 43 characters), no more. */
const TOKEN_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]{43}$/;
/** The tokens this service signs are about 270 characters long. */
const REMEMBERED_TOKEN_MAX_LENGTH = 1024;

/**
 * Whether a verified token may be remembered: only in the exact shape this service signs.
 * jose also accepts a token whose signature has padding or whitespace added, up to the
 * size of a request header (the bytes decode the same); remembering each such spelling
 * would let one valid token fill the cache with thousands of long strings.
 */
export function isRememberableToken(token: string): boolean {
  return token.length <= REMEMBERED_TOKEN_MAX_LENGTH && TOKEN_SHAPE.test(token);
}

export interface AccessClaims {
  userId: string;
}

export interface TokenService {
  signAccess(userId: string, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** Throws `DomainError("UNAUTHORIZED")` for anything but a valid, unexpired access token. */
  verifyAccess(token: string): Promise<AccessClaims>;
}

/**
 * HS256 access tokens. The key is imported once, as a Web Crypto key: jose works through
 * Web Crypto, and turns raw bytes or a Node KeyObject into such a key again on every
 * call, which makes a verification take about 1.6 times as long.
 *
 * A token that passed jose's checks is remembered, exactly as sent, with its subject and
 * expiry: the signature and every claim but the expiry depend only on the token's bytes
 * and this service's key, so the same string passes them again. A remembered token is
 * still checked for expiry on every call, as jose does (valid while `exp` is after the
 * current second); once expired it is forgotten and goes through jose again, which refuses
 * it. Refused tokens are never remembered, nor tokens in any other shape than the one
 * signed here (`isRememberableToken`). The oldest entry makes room when the cache is full.
 */
export function createTokenService(secret: string | Uint8Array): TokenService {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < 32) throw new Error("JWT secret must be at least 32 bytes");
  const key = webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  const verified = new Map<string, { userId: string; exp: number }>();
  return {
    async signAccess(userId, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
      const token = await new SignJWT({ use: TOKEN_USE })
        .setProtectedHeader({ alg: ALG, typ: "at+jwt" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(await key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verifyAccess(token) {
      const known = verified.get(token);
      if (known) {
        if (known.exp > Math.floor(Date.now() / 1000)) return { userId: known.userId };
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: [ALG],
          issuer: ISSUER,
          audience: AUDIENCE,
          typ: "at+jwt",
          requiredClaims: ["exp", "iat", "sub"],
        });
        if (payload.use !== TOKEN_USE || typeof payload.sub !== "string") {
          throw new DomainError("UNAUTHORIZED", "Not an access token");
        }
        // requiredClaims makes jose check that exp is there and a number.
        const exp = payload.exp as number;
        if (isRememberableToken(token)) {
          if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) {
            const oldest = verified.keys().next().value;
            if (oldest !== undefined) verified.delete(oldest);
          }
          verified.set(token, { userId: payload.sub, exp });
        }
        return { userId: payload.sub };
      } catch (err) {
        if (err instanceof DomainError) throw err;
        const expired = err instanceof joseErrors.JWTExpired;
        throw new DomainError(
          "UNAUTHORIZED",
          expired ? "Access token expired: refresh it" : "Invalid access token",
        );
      }
    },
  };
}

/** An opaque refresh token: 256 random bits. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A fresh random secret for the embedded setup, which keeps it in its data folder. */
export function generateSecret(): string {
  return randomBytes(48).toString("base64url");
}
