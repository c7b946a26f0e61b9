"""The ``eddsa-rdfc-2022`` Data Integrity cryptosuite (W3C "Data Integrity EdDSA Cryptosuites
v1.0", section 3.2), the suite 1EdTech's Open Badges 3.0 conformance lists.

The document and the proof configuration (the proof without ``proofValue``, with the
document's ``@context``) are each canonicalised to N-Quads with RDF Dataset Canonicalization
(PyLD's URDNA2015, which RDFC-1.0 standardised), hashed with SHA-256, and
``SHA-256(proof configuration) || SHA-256(document)`` is signed with Ed25519.

JSON-LD needs its contexts: :func:`document_loader` serves the copies shipped in
``contexts/`` (provenance in ``contexts/SOURCE.txt``) and refuses every other URL, so signing
and verifying never touch the network. Canonicalisation runs in "safe mode", as Digital
Bazaar's verifiers do: a property no context defines, or a relative type or identifier, is an
error rather than silently left unsigned.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .multibase import base58btc, from_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
#: every context URL this package can resolve, and its file in ``contexts/``
CONTEXT_FILES: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}


class _ResolvedContexts(dict):
    """This module's own cache of resolved contexts (not PyLD's process-wide one, which other
    PyLD users fill through their own loaders): the shipped contexts and the scoped contexts
    inside them, a few dozen entries; emptied if it ever grows past that."""

    LIMIT = 256

    def __setitem__(self, key: object, value: object) -> None:
        if len(self) >= self.LIMIT:
            self.clear()
        super().__setitem__(key, value)


_RESOLVED = _ResolvedContexts()


def _jsonld() -> Any:
    """PyLD, imported on the first signature or verification: it brings ``requests`` with it
    (~0.1 s and several MB), which a web worker that only shows pages never needs."""
    from pyld import jsonld

    return jsonld


def _options(**extra: object) -> dict:
    from pyld.context_resolver import ContextResolver

    return {"documentLoader": document_loader, "contextResolver": ContextResolver(_RESOLVED, document_loader),
            **extra}


class UnsafeDocument(ValueError):
    """The document has a term no context defines, or a relative IRI: it cannot be signed as is."""


@cache
def _context(url: str) -> str:
    return (CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8")


def document_loader(url: str, options: Mapping | None = None) -> dict:
    """PyLD document loader: the shipped contexts only; any other URL is an error (no network)."""
    if url not in CONTEXT_FILES:
        raise _jsonld().JsonLdError(f"context {url} is not shipped with the LMS", "jsonld.LoadDocumentError",
                                 code="loading document failed")
    # a fresh parse each time: PyLD keeps what it resolved, and nothing may alter our copy
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(_context(url))}


def _check_absolute(node: object) -> None:
    """Every ``@id`` and ``@type`` of an expanded document is an absolute IRI (or a blank node)."""
    if isinstance(node, list):
        for item in node:
            _check_absolute(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "@type") and "@value" not in node:
                for iri in value if isinstance(value, list) else [value]:
                    if isinstance(iri, str) and not (iri.startswith("_:") or ":" in iri):
                        raise UnsafeDocument(f"relative IRI {iri!r}")
            elif key != "@value":
                _check_absolute(value)


def canonicalize(document: Mapping) -> str:
    """RDF Dataset Canonicalization of a JSON-LD document, as N-Quads (safe mode)."""
    jsonld = _jsonld()
    dropped: list[str | None] = []
    try:
        expanded = jsonld.expand(copy.deepcopy(dict(document)), _options(base=None),
                                 on_property_dropped=dropped.append)
    except jsonld.JsonLdError as error:
        raise UnsafeDocument(str(error)) from error
    if dropped:
        raise UnsafeDocument(f"terms no context defines: {sorted(map(str, dropped))}")
    _check_absolute(expanded)
    return jsonld.normalize(expanded, _options(algorithm="URDNA2015", format="application/n-quads"))


def hash_data(unsecured: Mapping, proof_options: Mapping) -> bytes:
    """SHA-256 of the canonical proof configuration, then of the canonical document (64 bytes)."""
    config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    return (hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
            + hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest())


def create_proof(unsecured: Mapping, private: Ed25519PrivateKey, *, verification_method: str,
                 created: str) -> dict:
    """An ``eddsa-rdfc-2022`` proof of ``unsecured`` (a document without ``proof``)."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    proof["proofValue"] = base58btc(private.sign(hash_data(unsecured, proof)))
    return proof


def verify_proof(secured: Mapping, proof: Mapping, key: Ed25519PublicKey) -> bool:
    """The suite's "verify proof" algorithm for one proof of ``secured`` against one public key."""
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:  # the document must start with the proof's contexts
        ctx, doc_ctx = options["@context"], unsecured.get("@context")
        ctx = ctx if isinstance(ctx, list) else [ctx]
        doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_ctx[: len(ctx)] != ctx:
            return False
        unsecured["@context"] = options.pop("@context")
    try:
        key.verify(from_base58btc(proof.get("proofValue")), hash_data(unsecured, options))
    except (InvalidSignature, ValueError, TypeError, KeyError, _jsonld().JsonLdError):
        return False
    return True
