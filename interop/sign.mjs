// stdin: {"credential": {...}, "key": {publicKeyMultibase, secretKeyMultibase},
//         "cryptosuite": "eddsa-rdfc-2022" | "eddsa-jcs-2022", "created": "2024-01-01T00:00:00Z"}
// stdout: the signed credential
import {issue, readStdin} from './common.mjs';

const request = await readStdin();
const signed = await issue({...request, created: new Date(request.created)});
process.stdout.write(JSON.stringify(signed));
