"""The JSON-LD contexts our documents reference, served by the register from the copies shipped in the package.

Our own contexts (``https://microcred.eu/ns/v1``, ``…/ns/elm/v1``) are served at the same path under the
register's public base URL (``/ns/v1``), so a register at ``https://microcred.eu`` resolves them at their
identifiers and any other register says where its copy is. Every shipped context, ours and the standards',
is also served byte for byte at ``/contexts/{file}``, listed by ``/contexts``. Verifiers should still
pin the copy they load (VC 2.0 §4.3): what is served here is exactly what the register signs against.
"""

from __future__ import annotations

import json
from importlib.resources import files
from urllib.parse import urlsplit

from microcred.credentials.loader import OWN_CONTEXT_PREFIX, context_source, shipped_context_urls
from microcred.errors import NotFound

__all__ = ["context_at", "context_file", "context_index", "own_context_path"]

_SHIPPED = files("microcred.credentials") / "contexts"


def own_context_path(url: str) -> str | None:
    """``/ns/v1`` for ``https://microcred.eu/ns/v1``: where the register serves one of its own contexts."""
    return urlsplit(url).path if url.startswith(OWN_CONTEXT_PREFIX) else None


def _file_names() -> dict[str, str]:
    """Context URL -> shipped file name, as the offline loader's index holds them."""
    index: dict[str, str] = json.loads((_SHIPPED / "index.json").read_text(encoding="utf-8"))
    return {url: index[url] for url in shipped_context_urls()}


def context_index(public_base_url: str) -> dict[str, str]:
    """Every context URL the register ships -> the URL of the register's byte-exact copy."""
    base = public_base_url.rstrip("/")
    return {url: f"{base}/contexts/{name}" for url, name in _file_names().items()}


def context_file(name: str) -> bytes:
    """The shipped context file ``name`` (as listed by :func:`context_index`); NotFound for anything else."""
    for url, file_name in _file_names().items():
        if file_name == name:
            return context_source(url)
    raise NotFound("no-context-file", name=name)


def context_at(path: str) -> bytes:
    """Our own context whose identifier has this path (``/ns/v1``); NotFound for any other path."""
    for url in shipped_context_urls():
        if own_context_path(url) == path:
            return context_source(url)
    raise NotFound("no-context-path", path=path)
