// Digital Bazaar's verifier as a relying party on the network would run it: the issuer's did:web DID
// document and its Bitstring Status List credential are fetched over HTTP, the status list credential's own
// proof and issuer are checked by @digitalbazaar/vc-bitstring-status-list, and the credential's status is
// read from the fetched list.
//
// stdin:  {"credential": {...}, "loopback": "127.0.0.1:PORT"}
//         did:web §3.2 resolves over https only; the one host named in "loopback" is fetched over plain http,
//         because the test serves the register on a loopback port without TLS. Nothing else leaves the
//         process: contexts still come from the shipped copies (common.mjs).
// stdout: {"verified": bool, "error": string|null, "statuses": [{"purpose", "value", "message"}]}
//         "verified" is Digital Bazaar's verdict (proof, dates, status list credential verified and issued by
//         the credential's issuer); "statuses" are the values read from the fetched lists.
//
// A message entry (statusSize > 1) is read here, not by the library: vc-bitstring-status-list 2.0.1 reads
// one bit at statusListIndex whatever statusSize says (BitstringStatusList.getStatus), where the spec
// (Bitstring Status List v1.0 §3.2, step 9) reads statusSize bits starting at statusListIndex × statusSize.
// The library still fetches, verifies and decodes the list; only the read of the value is ours.
import * as vc from '@digitalbazaar/vc';
import {checkStatus, decodeList} from '@digitalbazaar/vc-bitstring-status-list';
import {documentLoader as offlineLoader, readStdin, verifyingSuite} from './common.mjs';

const {credential, loopback} = await readStdin();

function httpUrl(url) {
  const parsed = new URL(url);
  if(parsed.protocol === 'http:' && parsed.host !== loopback) {
    throw new Error(`refusing plain http to ${parsed.host}`);
  }
  if(parsed.protocol === 'https:' && parsed.host === loopback) {
    parsed.protocol = 'http:';
  }
  return parsed.toString();
}

async function fetchJson(url) {
  const response = await fetch(httpUrl(url), {headers: {accept: 'application/json, application/did+json'}});
  if(!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return response.json();
}

// did:web Method Specification §3.2 (Read): host (port percent-encoded), path segments joined by ':'.
function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return path.length === 0 ? `https://${host}/.well-known/did.json` :
    `https://${host}/${path.join('/')}/did.json`;
}

const fetched = new Map();
async function onlineLoader(url) {
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const document = await fetchJson(didWebUrl(did));
    if(document.id !== did) {
      throw new Error(`the DID document at ${didWebUrl(did)} is for ${document.id}`);
    }
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document};
    }
    const method = (document.verificationMethod ?? []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${url} is not in its DID document`);
    }
    return {contextUrl: null, documentUrl: url,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
  }
  if(url.startsWith('http://') || url.startsWith('https://')) {
    try {
      return await offlineLoader(url); // a shipped context
    } catch{
      const document = await fetchJson(url);
      fetched.set(url, document);
      return {contextUrl: null, documentUrl: url, document};
    }
  }
  return offlineLoader(url);
}

const suite = verifyingSuite('eddsa-rdfc-2022');
const statusCheck = options => checkStatus({...options, suite, verifyBitstringStatusListCredential: true});
const result = await vc.verifyCredential({credential, suite, documentLoader: onlineLoader, checkStatus: statusCheck});

const entries = [credential.credentialStatus ?? []].flat();
const statuses = [];
for(const entry of entries) {
  const list = fetched.get(entry.statusListCredential);
  if(!list) {
    continue;
  }
  const bits = await decodeList({encodedList: list.credentialSubject.encodedList});
  const size = parseInt(entry.statusSize ?? '1', 10);
  const start = parseInt(entry.statusListIndex, 10) * size;
  let value = 0;
  for(let position = start; position < start + size; position++) {
    value = value * 2 + (bits.bitstring.get(position) ? 1 : 0);
  }
  const hex = `0x${value.toString(16)}`;
  const message = (entry.statusMessage ?? []).find(m => m.status === hex)?.message ?? null;
  statuses.push({purpose: entry.statusPurpose, value, message});
}

const error = result.verified ? null :
  JSON.stringify(result.error?.message ?? result.error ?? result.results?.map(r => r.error?.message ?? r.error));
process.stdout.write(JSON.stringify({verified: result.verified, error, statuses}));
process.exitCode = result.verified ? 0 : 1;
