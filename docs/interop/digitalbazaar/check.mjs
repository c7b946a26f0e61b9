// Verify samples/vc.json (its eddsa-rdfc-2022 proof) and its Bitstring Status List entry with
// Digital Bazaar's libraries, offline: contexts from lms/certificates/contexts, the DID document
// and the lists from samples/. Usage: node check.mjs [status.json|status_revoked.json]
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = new URL('.', import.meta.url).pathname;
const CTX = here + '../../../lms/certificates/contexts/';
const SAMPLES = here + 'samples/';
const files = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'context-3.0.3.json',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
};
const read = name => JSON.parse(fs.readFileSync(name));
const did = read(SAMPLES + 'did.json');
const listFile = SAMPLES + (process.argv[2] || 'status.json');
// this verifier is the RDFC suite's: hand it the RDFC proof of each proof set
const rdfcOnly = d => ({...d, proof: d.proof.filter(p => p.cryptosuite === 'eddsa-rdfc-2022')});

async function documentLoader(url) {
  const doc = document => ({contextUrl: null, documentUrl: url, document});
  if (files[url]) return doc(read(CTX + files[url]));
  if (/\/credentials\/status\/\d+$/.test(url)) return doc(rdfcOnly(read(listFile)));
  if (url.split('#')[0] === did.id) {
    if (!url.includes('#')) return doc(did);
    return doc({'@context': did['@context'], ...did.verificationMethod.find(m => m.id === url)});
  }
  throw new Error('no network: ' + url);
}

const suite = new DataIntegrityProof({cryptosuite: rdfc});
for (const name of ['vc.json', 'tampered.json']) {
  const credential = rdfcOnly(read(SAMPLES + name));
  const result = await vc.verifyCredential({credential, suite, documentLoader,
    checkStatus: async () => ({verified: true})});
  console.log(`${name}: proof verified ${result.verified}`);
}
const status = await checkStatus({credential: read(SAMPLES + 'vc.json'), documentLoader, suite});
console.log(`${process.argv[2] || 'status.json'}: list verified ${status.verified},` +
            ` revoked ${status.results?.[0]?.status}${status.error ? ' ' + status.error.message : ''}`);
