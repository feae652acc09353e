"""Whether each held credential counts as a component, verified once and kept in the register until something
it depends on changes (issue 19, "Speed and scale").

Verifying a credential (RDFC canonicalisation, an Ed25519 signature, its status list, its provider's trust
on the issue date) takes milliseconds; a wallet of 50 credentials evaluated against its rules on every page
view, or a job over 100,000 learners, cannot redo it each time. The document of a stored credential never
changes, so its verdict changes only with what the verifier reads besides it: the credential's state, its
provider's status lists, signing keys and trust records. Storage hands out a token of exactly those with the
verdict kept under it (``StackingRepository.verdict_states``, one query for a batch); a verdict is reused
while its token is the same, and verified again otherwise. Verdicts live in the register, not in a process:
every process and every run of the job shares them, and each sees a revocation on its next read of the
token (a per-process cache of 200,000 verdicts could not hold a register of 300,000 credentials).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from microcred.domain import Credential
from microcred.domain.stacking import VerdictState
from microcred.services.ports import UnitOfWorkFactory

__all__ = ["VERIFICATIONS", "Verify", "settle", "verdicts"]


class _Count:
    """How many verifications ran in this process: what the tests and the benchmark read to prove a kept
    verdict was reused, not made again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, count: int) -> None:
        with self._lock:
            self.value += count


VERIFICATIONS = _Count()


Verify = Callable[[Sequence[Credential]], Sequence[bool]]
"""Whether each of these credentials counts, in their order (verified together: one transaction, each
provider's keys, lists and trust read once)."""


def verdicts(uow: UnitOfWorkFactory, credentials: Sequence[Credential], verify: Verify) -> dict[str, bool]:
    """Whether each credential counts (``verify``), reusing the register's kept verdicts while their tokens
    hold and keeping the new ones."""
    if not credentials:
        return {}
    with uow() as work:
        states = work.stacking.verdict_states([c.uuid for c in credentials])
    return settle(uow, credentials, states, verify)


def settle(
    uow: UnitOfWorkFactory,
    credentials: Sequence[Credential],
    states: Mapping[str, VerdictState],
    verify: Verify,
) -> dict[str, bool]:
    """Each credential's verdict: the kept one where ``states`` has it, else ``verify``'s, kept in one
    transaction under the token read before verifying (a change in between moves the token, so a verdict
    made on the old state is never reused under the new one). A credential with no state (deleted since it
    was read) is verified and not kept."""
    found: dict[str, bool] = {}
    unknown: list[Credential] = []
    for credential in credentials:
        state = states.get(credential.uuid)
        if state is not None and state.kept is not None:
            found[credential.uuid] = state.kept
        else:
            unknown.append(credential)
    fresh: dict[str, tuple[str, bool]] = {}
    for credential, verdict in zip(unknown, verify(unknown) if unknown else (), strict=True):
        found[credential.uuid] = verdict
        state = states.get(credential.uuid)
        if state is not None:
            fresh[credential.uuid] = (state.token, verdict)
    VERIFICATIONS.add(len(unknown))
    if fresh:
        with uow() as work:
            work.stacking.keep_verdicts(fresh)
            work.commit()
    return found
