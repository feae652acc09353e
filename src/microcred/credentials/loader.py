"""Offline JSON-LD document loader: serves the contexts shipped in ``contexts/`` and nothing else.

A verifier that fetches contexts over the network can be steered by whoever controls the URL; serving
vendored, hash-pinned copies keeps canonicalisation deterministic and offline (VC 2.0 §4.3 allows it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = [
    "DATA_INTEGRITY_V2_CONTEXT_URL",
    "DID_V1_CONTEXT_URL",
    "ELM_CONTEXT_URL",
    "MICROCRED_CONTEXT_URL",
    "MICROCRED_ELM_CONTEXT_URL",
    "MICROCRED_VOCAB",
    "MULTIKEY_V1_CONTEXT_URL",
    "OB3_CONTEXT_URL",
    "OWN_CONTEXT_PREFIX",
    "VC_V2_CONTEXT_URL",
    "UnknownContextError",
    "context_document",
    "context_source",
    "document_loader",
    "shipped_context_urls",
]

VC_V2_CONTEXT_URL = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2_CONTEXT_URL = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1_CONTEXT_URL = "https://w3id.org/security/multikey/v1"
DID_V1_CONTEXT_URL = "https://www.w3.org/ns/did/v1"
ELM_CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"
MICROCRED_CONTEXT_URL = "https://microcred.eu/ns/v1"
"""Our extension context; its terms live under :data:`MICROCRED_VOCAB`."""
MICROCRED_VOCAB = "https://microcred.eu/ns#"
MICROCRED_ELM_CONTEXT_URL = "https://microcred.eu/ns/elm/v1"
"""Ours too: maps the ELM export's ``issued`` to ``https://www.w3.org/2018/credentials#issued`` (EDC SHACL)."""
OWN_CONTEXT_PREFIX = "https://microcred.eu/"
"""Contexts under this prefix are ours: the register serves them at the same path (``/ns/v1``, ...)."""

_CONTEXTS = files("microcred.credentials") / "contexts"


class UnknownContextError(LookupError):
    """A document names a JSON-LD context that microcred does not ship (and will not fetch)."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not shipped with microcred and will not be fetched from the "
            "network; add it to microcred/credentials/contexts/ with its source and licence"
        )
        self.url = url


@cache
def _index() -> Mapping[str, str]:
    index: dict[str, str] = json.loads((_CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return index


@cache
def context_source(url: str) -> bytes:
    """The shipped context file for ``url``, byte for byte as it is stored."""
    file_name = _index().get(url)
    if file_name is None:
        raise UnknownContextError(url)
    return (_CONTEXTS / file_name).read_bytes()


@cache
def _parsed(url: str) -> Mapping[str, Any]:
    parsed: dict[str, Any] = json.loads(context_source(url))
    return parsed


def context_document(url: str) -> dict[str, Any]:
    """A fresh, mutable copy of the parsed context document for ``url``."""
    return copy.deepcopy(dict(_parsed(url)))


def shipped_context_urls() -> tuple[str, ...]:
    """Every context URL the loader serves, in index order."""
    return tuple(_index())


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader (``documentLoader`` option) that never touches the network."""
    del options  # pyld passes request headers; nothing to request
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": context_document(url),
    }
