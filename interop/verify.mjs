// stdin: {"credential": {...signed...}, "cryptosuite": "eddsa-rdfc-2022" | "eddsa-jcs-2022"}
// stdout: {"verified": bool, "error": string|null}; exit code 0 when verified, 1 otherwise
import {readStdin, verify} from './common.mjs';

const request = await readStdin();
const result = await verify(request);
const error = result.verified ? null :
  JSON.stringify(result.error ?? result.results?.map(r => r.error?.message ?? r.error));
process.stdout.write(JSON.stringify({verified: result.verified, error}));
process.exitCode = result.verified ? 0 : 1;
