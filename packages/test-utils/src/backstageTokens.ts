/*
 * Backstage-shaped user tokens signed with keys the tests hold: to forge tokens with a foreign
 * key, and to mint tokens with the auth plugin's own key when the plugin is configured with a
 * static key store of the tests' making (see staticKeyStore below).
 *
 * jose is an ES module: it is loaded with a dynamic import (Jest runs with VM modules).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '@backstage/types';

const USER_TOKEN_TYPE = 'vnd.backstage.user';
const LIMITED_USER_TOKEN_TYPE = 'vnd.backstage.limited-user';
const USER_TOKEN_AUDIENCE = 'backstage';
const ALGORITHM = 'ES256';

export interface TestSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A fresh ES256 key pair, the algorithm the auth plugin signs user tokens with by default. */
export async function generateSigningKey(
  kid: string = randomUUID(),
): Promise<TestSigningKey> {
  const { generateKeyPair } = await import('jose');
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, {
    extractable: true,
  });
  return { kid, privateKey, publicKey };
}

/**
 * Writes the key pair as PEM files into `dir` and returns the `auth.keyStore` config that makes
 * the auth plugin sign every user token with it (its `static` key store, a supported production
 * setting for replicas that share keys).
 */
export async function staticKeyStore(
  key: TestSigningKey,
  dir: string,
): Promise<JsonObject> {
  const { exportPKCS8, exportSPKI } = await import('jose');
  const privateKeyFile = join(dir, 'auth-signing-key.pem');
  const publicKeyFile = join(dir, 'auth-signing-key.pub.pem');
  writeFileSync(privateKeyFile, await exportPKCS8(key.privateKey), {
    mode: 0o600,
  });
  writeFileSync(publicKeyFile, await exportSPKI(key.publicKey));
  return {
    provider: 'static',
    static: {
      keys: [
        {
          keyId: key.kid,
          algorithm: ALGORITHM,
          privateKeyFile,
          publicKeyFile,
        },
      ],
    },
  };
}

export interface UserTokenClaims {
  /** The auth plugin's external base URL, e.g. `http://localhost:7007/api/auth`. */
  issuer: string;
  /** The user entity ref. */
  sub: string;
  /** Ownership refs; the auth plugin leaves them out by default (`omitIdentityTokenOwnershipClaim`). */
  ent?: string[];
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

/**
 * A user token as the auth plugin issues one: the same header (`typ`, `alg`, `kid`), the same
 * claims, and the `uip` claim (the signature of the matching limited-user token, which the
 * backend uses for the user cookie).
 */
export async function signUserToken(
  key: TestSigningKey,
  claims: UserTokenClaims,
  kid: string = key.kid,
): Promise<string> {
  const { GeneralSign, SignJWT } = await import('jose');
  const { sub, iat, exp } = claims;
  const limited = await new GeneralSign(
    new TextEncoder().encode(JSON.stringify({ sub, iat, exp })),
  )
    .addSignature(key.privateKey)
    .setProtectedHeader({ typ: LIMITED_USER_TOKEN_TYPE, alg: ALGORITHM, kid })
    .done()
    .sign();
  return new SignJWT({
    iss: claims.issuer,
    sub,
    ...(claims.ent ? { ent: claims.ent } : {}),
    aud: USER_TOKEN_AUDIENCE,
    iat,
    exp,
    uip: limited.signatures[0].signature,
  })
    .setProtectedHeader({ typ: USER_TOKEN_TYPE, alg: ALGORITHM, kid })
    .sign(key.privateKey);
}

/** A limited-user token (what the backend puts in its user cookie) signed with `key`. */
export async function signLimitedUserToken(
  key: TestSigningKey,
  claims: Pick<UserTokenClaims, 'sub' | 'iat' | 'exp'>,
  kid: string = key.kid,
): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ sub: claims.sub, iat: claims.iat, exp: claims.exp })
    .setProtectedHeader({ typ: LIMITED_USER_TOKEN_TYPE, alg: ALGORITHM, kid })
    .sign(key.privateKey);
}

/** A user token with `alg: none`: claims that nobody signed. */
export function unsignedUserToken(claims: UserTokenClaims): string {
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ typ: USER_TOKEN_TYPE, alg: 'none' })}.${encode({
    iss: claims.issuer,
    sub: claims.sub,
    ent: claims.ent,
    aud: USER_TOKEN_AUDIENCE,
    iat: claims.iat,
    exp: claims.exp,
  })}.`;
}

/** Seconds since the epoch. */
export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
