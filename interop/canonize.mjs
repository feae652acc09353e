// A long-running canonicaliser for the structural fuzzer (tests/credentials/test_canonical_fuzz.py):
// one JSON document per stdin line, one JSON answer per stdout line, in order:
//   {"nquads": "..."} or {"error": "<name>: <message>"}.
// It calls the eddsa-rdfc-2022 cryptosuite's own `canonize` (jsonld.js toRDF with safe mode and
// rdfDirection 'i18n-datatype', then rdf-canonize RDFC-1.0), exactly what Digital Bazaar signs and verifies.
import {createInterface} from 'node:readline';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './common.mjs';

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  if(!line.trim()) {
    continue;
  }
  let answer;
  try {
    answer = {nquads: await cryptosuite.canonize(JSON.parse(line), {documentLoader})};
  } catch(error) {
    answer = {error: `${error.name}: ${error.message}`};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
