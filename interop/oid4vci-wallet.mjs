// An independent wallet against microcred's OpenID4VCI issuer, over loopback HTTP: the OpenWallet
// Foundation's @openid4vc/openid4vci client (as the Credo wallet uses it) resolves the offer, gets a token
// with the PIN, proves possession of a P-256 key and receives both formats; @sd-jwt/sd-jwt-vc verifies the
// SD-JWT VC (signature, holder key, Token Status List) and presents it with a selective disclosure; Digital
// Bazaar's libraries verify the ldp_vc. Then the refusals, each by the spec's error code. Last, the wallet
// answers the register's OpenID4VP request (@openid4vc/openid4vp) with what its DCQL query asks for.
// The authorization code flow: the client builds the authorization request from the offer's issuer_state
// with PKCE S256, the learner's browser (the register's session cookie, signed in by an e-mailed link)
// approves on the register's page, and the client trades the code with its verifier for both formats.
// stdin: {offerUri, txCode, expiredOfferUri, expiredTxCode, issuerJwk, didDocument, presentationRequestUri,
//         browserCookie}
// stdout: one JSON object of results.
import {createHash, generateKeyPairSync, randomBytes, sign, verify, createPublicKey} from 'node:crypto';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {clientAuthenticationAnonymous, setGlobalConfig} from '@openid4vc/oauth2';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import * as vc from '@digitalbazaar/vc';
import {loaderWithDid, verifyingSuite, readStdin} from './common.mjs';

setGlobalConfig({allowInsecureUrls: true}); // the issuer runs on http://127.0.0.1 in the test

const input = await readStdin();
const b64u = buffer => Buffer.from(buffer).toString('base64url');

function walletKey() {
  const {publicKey, privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'});
  const {kty, crv, x, y} = publicKey.export({format: 'jwk'});
  return {publicJwk: {kty, crv, x, y}, privateKey};
}

function es256(privateKey, header, payload) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), {key: privateKey, dsaEncoding: 'ieee-p1363'});
  return `${input}.${b64u(signature)}`;
}

const holder = walletKey();
const stranger = walletKey();
let signWith = holder; // the "proof with a different key" case swaps the key that signs, not the one named

const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  generateRandom: length => randomBytes(length),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, {header, payload}) => {
    if(signer.method !== 'jwk') throw new Error(`unexpected signer ${signer.method}`);
    return {jwt: es256(signWith.privateKey, header, payload), signerJwk: signer.publicJwk};
  }
};
const client = new Openid4vciClient({callbacks});
const signer = {method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk};

const errorOf = async promise => {
  try {
    await promise;
    return null;
  } catch(error) {
    // the token endpoint's refusal (Oauth2ClientErrorResponseError) or the credential endpoint's
    // (Openid4vciRetrieveCredentialsError), each as the library parsed the error body
    const body = error.errorResponse ?? error.response?.credentialErrorResponseResult?.data;
    return body?.error ?? `unparsed: ${error.message}`;
  }
};

async function credentialOf(issuerMetadata, accessToken, credentialConfigurationId, nonce) {
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, signer, nonce, issuedAt: new Date()
  });
  const response = await client.retrieveCredentials({
    issuerMetadata, accessToken, credentialConfigurationId, proofs: {jwt: [jwt]}
  });
  return response.credentialResponse.credentials[0].credential;
}

// --- the journey -------------------------------------------------------------------------------------
const offer = await client.resolveCredentialOffer(input.offerUri);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const results = {configurations: offer.credential_configuration_ids};
results.wrongPin = await errorOf(client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, txCode: input.txCode === '000000' ? '111111' : '000000'
}));
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, txCode: input.txCode
});
const accessToken = accessTokenResponse.access_token;
results.reusedCode = await errorOf(client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, txCode: input.txCode
}));

const [ldpId, sdJwtId] = offer.credential_configuration_ids;
const firstNonce = (await client.requestNonce({issuerMetadata})).c_nonce;
const ldpVc = await credentialOf(issuerMetadata, accessToken, ldpId, firstNonce);
results.replayedNonce = await errorOf(credentialOf(issuerMetadata, accessToken, ldpId, firstNonce));
signWith = stranger;
results.otherKey = await errorOf(
  credentialOf(issuerMetadata, accessToken, ldpId, (await client.requestNonce({issuerMetadata})).c_nonce));
signWith = holder;
const sdJwtVc = await credentialOf(
  issuerMetadata, accessToken, sdJwtId, (await client.requestNonce({issuerMetadata})).c_nonce);

const expired = await client.resolveCredentialOffer(input.expiredOfferUri);
results.expiredOffer = await errorOf(client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: expired, issuerMetadata, txCode: input.expiredTxCode
}));

// --- the authorization code flow with PKCE, the learner approving in their browser -------------------------
const clientId = 'org.example.interop-wallet';
const redirectUri = 'http://127.0.0.1:9/callback'; // loopback (RFC 8252 §7.3): read, never fetched
const authorizationServerMetadata = issuerMetadata.authorizationServers[0];

async function approvedCode(authorizationRequestUrl, answer = 'approve') {
  const page = await fetch(authorizationRequestUrl, {headers: {cookie: input.browserCookie}, redirect: 'manual'});
  const html = await page.text();
  if(page.status !== 200) throw new Error(`the authorization page answered ${page.status}: ${html.slice(0, 200)}`);
  const form = new URLSearchParams();
  for(const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(name, value.replaceAll('&#34;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
  }
  form.append('credential', html.match(/name="credential" value="([^"]+)"/)[1]);
  form.append('answer', answer);
  const approved = await fetch(new URL('/oid4vci/authorize', authorizationRequestUrl), {
    method: 'POST', body: form, redirect: 'manual',
    headers: {cookie: input.browserCookie, 'content-type': 'application/x-www-form-urlencoded'}
  });
  const location = approved.headers.get('location');
  if(approved.status !== 303 || !location.startsWith(redirectUri)) {
    throw new Error(`the approval answered ${approved.status} to ${location}`);
  }
  return client.parseAndVerifyAuthorizationResponseRedirectUrl({url: location, authorizationServerMetadata});
}

const scope = Object.values(issuerMetadata.credentialIssuer.credential_configurations_supported)
  .map(configuration => configuration.scope).join(' ');
const authorizationOf = async () => client.createAuthorizationRequestUrlFromOffer({
  credentialOffer: offer, issuerMetadata, clientId, redirectUri, scope
});
const started = await authorizationOf();
const approval = await approvedCode(started.authorizationRequestUrl);
const tokenOf = (code, verifier) => client.retrieveAuthorizationCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, authorizationCode: code, pkceCodeVerifier: verifier, redirectUri,
  additionalRequestPayload: {client_id: clientId}
});
const codeToken = (await tokenOf(approval.code, started.pkce.codeVerifier)).accessTokenResponse.access_token;
results.authorizationCode = {
  codeChallengeMethod: new URL(started.authorizationRequestUrl).searchParams.get('code_challenge_method'),
  issuerState: new URL(started.authorizationRequestUrl).searchParams.get('issuer_state'),
  iss: approval.iss,
  ldpVcSubject: (await credentialOf(issuerMetadata, codeToken, ldpId,
    (await client.requestNonce({issuerMetadata})).c_nonce)).credentialSubject.id,
  sdJwtVc: (await credentialOf(issuerMetadata, codeToken, sdJwtId,
    (await client.requestNonce({issuerMetadata})).c_nonce)).split('~').length > 2,
  reusedCode: await errorOf(tokenOf(approval.code, started.pkce.codeVerifier))
};
const second = await authorizationOf();
const secondApproval = await approvedCode(second.authorizationRequestUrl);
results.authorizationCode.wrongVerifier = await errorOf(tokenOf(secondApproval.code, 'x'.repeat(43)));
const third = await authorizationOf();
results.authorizationCode.denied = (await approvedCode(third.authorizationRequestUrl, 'deny')).error;

// --- the ldp_vc in Digital Bazaar's verifier -----------------------------------------------------------
const checked = await vc.verifyCredential({credential: ldpVc, suite: verifyingSuite('eddsa-rdfc-2022'),
  documentLoader: loaderWithDid(input.didDocument), checkStatus: async () => ({verified: true})});
results.ldpVc = {
  verified: checked.verified,
  error: checked.verified ? null : JSON.stringify(checked.error ?? checked.results?.map(r => r.error?.message)),
  subject: ldpVc.credentialSubject.id
};

// --- the SD-JWT VC in @sd-jwt/sd-jwt-vc ------------------------------------------------------------------
const issuerKey = createPublicKey({key: input.issuerJwk, format: 'jwk'});
const sdjwt = new SDJwtVcInstance({
  hasher: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  hashAlg: 'sha-256',
  saltGenerator: length => b64u(randomBytes(length)).slice(0, length),
  verifier: (data, signature) => verify(null, Buffer.from(data), issuerKey, Buffer.from(signature, 'base64url')),
  kbSigner: data => b64u(sign('sha256', Buffer.from(data), {key: holder.privateKey, dsaEncoding: 'ieee-p1363'})),
  kbSignAlg: 'ES256',
  kbVerifier: (data, signature, payload) => verify('sha256', Buffer.from(data),
    {key: createPublicKey({key: payload.cnf.jwk, format: 'jwk'}), dsaEncoding: 'ieee-p1363'},
    Buffer.from(signature, 'base64url'))
});
const issued = await sdjwt.verify(sdJwtVc); // signature and the Token Status List (fetched from the register)
const claims = await sdjwt.getClaims(sdJwtVc);
const presented = await sdjwt.present(sdJwtVc, {achievement: true, ects: true}, {
  kb: {payload: {aud: 'https://verifier.example', nonce: 'n-0S6_WzA2Mj', iat: Math.floor(Date.now() / 1000)}}
});
const shown = await sdjwt.verify(presented, {keyBindingNonce: 'n-0S6_WzA2Mj', requiredClaimKeys: ['ects']});
results.sdJwtVc = {
  vct: issued.payload.vct,
  holderKeyIsOurs: JSON.stringify(issued.payload.cnf.jwk) === JSON.stringify(holder.publicJwk),
  allClaims: Object.keys(claims).sort(),
  presentedClaims: Object.keys(shown.payload).sort(),
  keyBound: shown.kb !== undefined,
  ects: shown.payload.ects
};

// --- answering the register's OpenID4VP request ---------------------------------------------------------
const vpClient = new Openid4vpClient({callbacks: {
  fetch,
  hash: callbacks.hash,
  verifyJwt: async () => { throw new Error('the request is unsigned: nothing to verify'); },
  decryptJwe: async () => { throw new Error('nothing is encrypted'); },
  encryptJwe: async () => { throw new Error('nothing is encrypted'); },
  signJwt: callbacks.signJwt
}});
const parsed = vpClient.parseOpenid4vpAuthorizationRequest({authorizationRequest: input.presentationRequestUri});
const resolved = await vpClient.resolveOpenId4vpAuthorizationRequest({authorizationRequestPayload: parsed.params});
const request = resolved.authorizationRequestPayload;
const [asked] = resolved.dcql.query.credentials;
const frame = Object.fromEntries(asked.claims.map(claim => [claim.path[0], true]));
const answer = await sdjwt.present(sdJwtVc, frame, {
  kb: {payload: {aud: request.client_id, nonce: request.nonce, iat: Math.floor(Date.now() / 1000)}}
});
const {authorizationResponsePayload} = await vpClient.createOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request,
  authorizationResponsePayload: {vp_token: {[asked.id]: [answer]}}
});
const submitted = await vpClient.submitOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: request, authorizationResponsePayload
});
results.presentation = {
  clientPrefix: resolved.client.prefix,
  format: asked.format,
  asked: Object.keys(frame).sort(),
  status: submitted.response.status
};
process.stdout.write(JSON.stringify(results));
