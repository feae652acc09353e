// Deferred issuance (OID4VCI 1.0 §8.3, §9) through the OpenWallet Foundation's @openid4vc/openid4vci client:
// the learner passed but the provider has not issued the credential yet. The wallet resolves the (mailed)
// offer, runs the authorization code flow with PKCE (the learner's browser approves on the register's page),
// asks for the ldp_vc with a P-256 key proof and gets a transaction (202, transaction_id, interval); the
// library's own deferred client (retrieveDeferredCredentials) hears "still pending" (202, the same id); the
// provider then issues the credential through the register's API; the deferred client receives it, and
// Digital Bazaar's verifier checks it and that its subject is the key of the first proof. Asking again with
// the delivered id, or with an unknown one, is refused with invalid_transaction_id.
// stdin: {offerUri, browserCookie, issueUrl, apiToken, didUrl}
// stdout: one JSON object of results.
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous, setGlobalConfig} from '@openid4vc/oauth2';
import * as vc from '@digitalbazaar/vc';
import {loaderWithDid, verifyingSuite, readStdin} from './common.mjs';

setGlobalConfig({allowInsecureUrls: true}); // the issuer runs on http://127.0.0.1 in the test

const input = await readStdin();
const b64u = buffer => Buffer.from(buffer).toString('base64url');
const {publicKey, privateKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'});
const {kty, crv, x, y} = publicKey.export({format: 'jwk'});
const holderJwk = {kty, crv, x, y};

function es256(header, payload) {
  const signed = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${signed}.${b64u(sign('sha256', Buffer.from(signed), {key: privateKey, dsaEncoding: 'ieee-p1363'}))}`;
}

const client = new Openid4vciClient({callbacks: {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  generateRandom: length => randomBytes(length),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, {header, payload}) => ({jwt: es256(header, payload), signerJwk: signer.publicJwk})
}});

const errorOf = async promise => {
  try {
    await promise;
    return null;
  } catch(error) {
    const body = error.response?.deferredCredentialErrorResponseResult?.data
      ?? error.response?.credentialErrorResponseResult?.data;
    return body?.error ?? `unparsed: ${error.message}`;
  }
};

// --- the offer and the learner's approval ----------------------------------------------------------------
const offer = await client.resolveCredentialOffer(input.offerUri);
const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const clientId = 'org.example.interop-wallet';
const redirectUri = 'http://127.0.0.1:9/callback'; // loopback (RFC 8252 §7.3): read, never fetched
const [ldpId] = offer.credential_configuration_ids;
const scope = issuerMetadata.credentialIssuer.credential_configurations_supported[ldpId].scope;
const started = await client.createAuthorizationRequestUrlFromOffer({
  credentialOffer: offer, issuerMetadata, clientId, redirectUri, scope
});
const page = await fetch(started.authorizationRequestUrl, {headers: {cookie: input.browserCookie}, redirect: 'manual'});
const html = await page.text();
if(page.status !== 200) throw new Error(`the authorization page answered ${page.status}: ${html.slice(0, 200)}`);
const form = new URLSearchParams();
for(const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
  form.append(name, value.replaceAll('&#34;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
}
const choice = html.match(/name="credential" value="([^"]+)"/)[1];
form.append('credential', choice);
form.append('answer', 'approve');
const approved = await fetch(new URL('/oid4vci/authorize', started.authorizationRequestUrl), {
  method: 'POST', body: form, redirect: 'manual',
  headers: {cookie: input.browserCookie, 'content-type': 'application/x-www-form-urlencoded'}
});
const authorization = await client.parseAndVerifyAuthorizationResponseRedirectUrl({
  url: approved.headers.get('location'), authorizationServerMetadata: issuerMetadata.authorizationServers[0]
});
const {accessTokenResponse} = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
  credentialOffer: offer, issuerMetadata, authorizationCode: authorization.code,
  pkceCodeVerifier: started.pkce.codeVerifier, redirectUri, additionalRequestPayload: {client_id: clientId}
});
const accessToken = accessTokenResponse.access_token;

// --- the credential request is deferred --------------------------------------------------------------------
const nonce = (await client.requestNonce({issuerMetadata})).c_nonce;
const {jwt} = await client.createCredentialRequestJwtProof({
  issuerMetadata, credentialConfigurationId: ldpId, nonce, issuedAt: new Date(),
  signer: {method: 'jwk', alg: 'ES256', publicJwk: holderJwk}
});
const requested = await client.retrieveCredentials({
  issuerMetadata, accessToken, credentialConfigurationId: ldpId, proofs: {jwt: [jwt]}
});
const transactionId = requested.credentialResponse.transaction_id;
const results = {
  choiceIsPending: choice.startsWith('pending:'),
  deferredEndpoint: issuerMetadata.credentialIssuer.deferred_credential_endpoint,
  credentialStatus: requested.response.status,
  interval: requested.credentialResponse.interval,
  gotCredentialAtOnce: requested.credentialResponse.credentials !== undefined
};
const deferred = () => client.retrieveDeferredCredentials({issuerMetadata, accessToken, transactionId});
const stillPending = await deferred();
results.pending = {
  status: stillPending.response.status,
  sameTransaction: stillPending.deferredCredentialResponse.transaction_id === transactionId,
  interval: stillPending.deferredCredentialResponse.interval
};

// --- the provider issues it through the register's API; the wallet collects it ------------------------------
const issuing = await fetch(input.issueUrl, {method: 'POST', headers: {authorization: `Bearer ${input.apiToken}`}});
results.issuedByApi = issuing.status;
const delivered = await deferred();
const ldpVc = delivered.deferredCredentialResponse.credentials[0].credential;
const didDocument = await (await fetch(input.didUrl)).json();
const checked = await vc.verifyCredential({credential: ldpVc, suite: verifyingSuite('eddsa-rdfc-2022'),
  documentLoader: loaderWithDid(didDocument), checkStatus: async () => ({verified: true})});
const expectedSubject = 'did:jwk:' + b64u(JSON.stringify(holderJwk, Object.keys(holderJwk).sort()));
results.delivered = {
  status: delivered.response.status,
  verified: checked.verified,
  error: checked.verified ? null : JSON.stringify(checked.error ?? checked.results?.map(r => r.error?.message)),
  id: ldpVc.id,
  subjectIsFirstProofKey: ldpVc.credentialSubject.id === expectedSubject
};
results.deliveredTwice = await errorOf(deferred());
results.unknownTransaction = await errorOf(
  client.retrieveDeferredCredentials({issuerMetadata, accessToken, transactionId: 'not-a-transaction'}));
process.stdout.write(JSON.stringify(results));
