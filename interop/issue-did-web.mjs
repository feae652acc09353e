// An issuer that is not microcred: Digital Bazaar's vc.issue signs with a did:web key (eddsa-rdfc-2022).
// stdin: {"did": "did:web:…", "key": {publicKeyMultibase, secretKeyMultibase}, "created": "2025-…Z",
//         "credentials": [{...unsigned...}, …]}
// stdout: the signed credentials, in order, each with `proof` as vc.issue emits it (one object)
import * as vc from '@digitalbazaar/vc';
import {documentLoader, keyPair, readStdin, signingSuite} from './common.mjs';

const {did, key, created, credentials} = await readStdin();
const pair = await keyPair(key, did);
const signed = [];
for(const credential of credentials) {
  const suite = signingSuite('eddsa-rdfc-2022', pair.signer(), new Date(created));
  signed.push(await vc.issue({credential, suite, documentLoader}));
}
process.stdout.write(JSON.stringify(signed));
