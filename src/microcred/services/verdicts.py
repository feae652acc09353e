"""Whether each held credential counts as a component, verified once and kept until something it depends on
changes (issue 19, "Speed and scale").

Verifying a credential (RDFC canonicalisation, an Ed25519 signature, its status list, its provider's trust
on the issue date) takes milliseconds; a wallet of 50 credentials evaluated against its rules on every page
view, or a bulk job over 100,000 learners, cannot redo it each time. The document of a stored credential
never changes, so its verdict changes only with what the verifier reads besides it: the credential's state,
its provider's status lists, signing keys and trust records. Storage hands out a token of exactly those
(``StackingRepository.verdict_tokens``, one query for a batch); a verdict is reused while its token is the
same, and verified again otherwise. The cache is per process and keyed by register, so several processes
each keep their own, and every one sees a revocation on its next read of the token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from microcred.domain import Credential
from microcred.services.ports import UnitOfWorkFactory

__all__ = ["VerdictCache", "verdicts"]

_LIMIT = 200_000  # verdicts kept per process; past it the oldest half is dropped


class VerdictCache:
    """Verdicts by (register, credential), each with the token it was verified under."""

    def __init__(self, limit: int = _LIMIT) -> None:
        self._found: dict[tuple[str, str], tuple[str, bool]] = {}
        self._lock = threading.Lock()
        self._limit = limit
        self.verified = 0  # how many verifications ran (what the tests and the benchmark read)

    def kept(self, register: str, tokens: Mapping[str, str]) -> dict[str, bool]:
        """The kept verdicts whose token is still ``tokens[uuid]``; a credential left out must be verified."""
        found: dict[str, bool] = {}
        for uuid, token in tokens.items():
            kept = self._found.get((register, uuid))
            if kept is not None and kept[0] == token:
                found[uuid] = kept[1]
        return found

    def verdicts(
        self,
        register: str,
        credentials: Sequence[Credential],
        tokens: dict[str, str],
        verify: Callable[[Credential], bool],
    ) -> dict[str, bool]:
        """Each credential's verdict: the kept one when its token is unchanged, else ``verify``'s."""
        found = self.kept(register, {c.uuid: tokens[c.uuid] for c in credentials if c.uuid in tokens})
        for credential in credentials:
            if credential.uuid in found:
                continue
            token = tokens.get(credential.uuid)
            found[credential.uuid] = verdict = verify(credential)
            with self._lock:
                self.verified += 1
                if token is not None:
                    self._keep((register, credential.uuid), (token, verdict))
        return found

    def _keep(self, key: tuple[str, str], value: tuple[str, bool]) -> None:
        if len(self._found) >= self._limit:
            for old in list(self._found)[: self._limit // 2]:  # dicts keep insertion order: the oldest first
                del self._found[old]
        self._found[key] = value

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


CACHE = VerdictCache()


def verdicts(
    uow: UnitOfWorkFactory, register: str, credentials: Sequence[Credential], verify: Callable[[Credential], bool]
) -> dict[str, bool]:
    """Whether each credential counts (``verify``), reusing this process's verdicts while their tokens hold."""
    if not credentials:
        return {}
    with uow() as work:
        tokens = work.stacking.verdict_tokens([c.uuid for c in credentials])
    return CACHE.verdicts(register, credentials, tokens, verify)
