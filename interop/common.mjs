// Shared set-up for the interop scripts: an offline document loader fed with microcred's shipped
// contexts (src/microcred/credentials/contexts), did:key resolved locally, and the cryptosuites.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite, createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const here = dirname(fileURLToPath(import.meta.url));
const contextDir = join(here, '..', 'src', 'microcred', 'credentials', 'contexts');
const index = JSON.parse(readFileSync(join(contextDir, 'index.json'), 'utf8'));

const staticLoader = new JsonLdDocumentLoader();
for(const [url, file] of Object.entries(index)) {
  staticLoader.addStatic(url, JSON.parse(readFileSync(join(contextDir, file), 'utf8')));
}
const loadStatic = staticLoader.build();

function didKeyDocument(url) {
  const [did, fragment] = url.split('#');
  const key = did.slice('did:key:'.length);
  const methodId = `${did}#${key}`;
  const method = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: methodId, type: 'Multikey', controller: did, publicKeyMultibase: key
  };
  if(fragment) {
    return method;
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{id: methodId, type: 'Multikey', controller: did, publicKeyMultibase: key}],
    assertionMethod: [methodId],
    authentication: [methodId]
  };
}

export async function documentLoader(url) {
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: didKeyDocument(url)};
  }
  return loadStatic(url); // throws on anything not shipped: no network
}

// A loader that also answers for one DID document the test hands in (the register's did:web), still offline.
export function loaderWithDid(didDocument) {
  return async url => {
    const [did, fragment] = url.split('#');
    if(did !== didDocument.id) return documentLoader(url);
    if(!fragment) return {contextUrl: null, documentUrl: url, document: didDocument};
    const method = didDocument.verificationMethod.find(m => m.id === url);
    return {contextUrl: null, documentUrl: url,
            document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
  };
}

export async function keyPair({publicKeyMultibase, secretKeyMultibase}, controller = `did:key:${publicKeyMultibase}`) {
  return Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: `${controller}#${publicKeyMultibase}`,
    controller, publicKeyMultibase, secretKeyMultibase
  });
}

export function signingSuite(name, signer, date) {
  const cryptosuite = name === 'eddsa-jcs-2022' ? createSignCryptosuite() : rdfcSuite;
  return new DataIntegrityProof({signer, cryptosuite, date});
}

export function verifyingSuite(name) {
  const cryptosuite = name === 'eddsa-jcs-2022' ? createVerifyCryptosuite() : rdfcSuite;
  return new DataIntegrityProof({cryptosuite});
}

// Status is checked by microcred's own status_list code; here only the proof is in question.
const checkStatus = async () => ({verified: true});

export async function issue({credential, key, cryptosuite, created}) {
  const pair = await keyPair(key);
  const suite = signingSuite(cryptosuite, pair.signer(), created);
  return vc.issue({credential: structuredClone(credential), suite, documentLoader});
}

export async function verify({credential, cryptosuite}) {
  const suite = verifyingSuite(cryptosuite);
  return vc.verifyCredential({credential, suite, documentLoader, checkStatus});
}

export async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

