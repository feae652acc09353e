// stdin: {"credential": {...unsigned...}, "key": {...}, "created": "...", "seconds": 10, "warmupSeconds": 2}
// stdout: {"rdfc_issue_per_s", "rdfc_verify_per_s", "jcs_issue_per_s", "jcs_verify_per_s"} on one core
// The warm-up and the measured duration are the Python side's (benchmarks/bench_credentials.py): same work,
// same clock. verify is vc.verifyCredential: proof, dates and issuer (status is stubbed on both sides).
// issue imports the key pair once per suite, as the Python side signs a batch with one SigningKey.
import * as vc from '@digitalbazaar/vc';
import {documentLoader, issue, keyPair, readStdin, signingSuite, verify} from './common.mjs';

const request = await readStdin();
const created = new Date(request.created);
const seconds = request.seconds ?? 10;
const warmupSeconds = request.warmupSeconds ?? 2;

async function rate(fn) {
  const warmUntil = performance.now() + warmupSeconds * 1000;
  while(performance.now() < warmUntil) {
    await fn(); // warm-up: contexts, JIT, caches
  }
  const start = performance.now();
  let count = 0;
  while(performance.now() - start < seconds * 1000) {
    await fn();
    count += 1;
  }
  return count / ((performance.now() - start) / 1000);
}

const out = {};
for(const cryptosuite of ['eddsa-rdfc-2022', 'eddsa-jcs-2022']) {
  const prefix = cryptosuite === 'eddsa-jcs-2022' ? 'jcs' : 'rdfc';
  const signed = await issue({...request, cryptosuite, created});
  const suite = signingSuite(cryptosuite, (await keyPair(request.key)).signer(), created);
  out[`${prefix}_issue_per_s`] = await rate(
    () => vc.issue({credential: structuredClone(request.credential), suite, documentLoader}));
  out[`${prefix}_verify_per_s`] = await rate(() => verify({credential: signed, cryptosuite}));
}
process.stdout.write(JSON.stringify(out));
