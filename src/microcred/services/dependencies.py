"""What use cases need from outside the register's core, gathered once by :mod:`microcred.bootstrap`.

Each service area (``issuance``, ``catalogue``, ...) offers a class bound to one ``Dependencies`` value:
adapters call ``register.issuance.revoke(credential_id, reason)`` with only the command's own arguments,
and never see the unit of work, signing keys, secrets or the clock. The module-level functions stay the
single definition of each use case; the bound classes only supply their dependencies (decision 0005).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# Only the annotations need these: every service imports this module, and the key store's and the fetcher's
# modules load the credential libraries and httpx (issue 21: start-up time).
if TYPE_CHECKING:
    from microcred.services.keys import KeyStore
    from microcred.services.mail import Mailer
    from microcred.services.ports import Clock, UnitOfWorkFactory
    from microcred.services.remote import RemoteDocuments
    from microcred.settings import Settings

__all__ = ["Dependencies"]


@dataclass(frozen=True, kw_only=True)
class Dependencies:
    """One register's wiring: where transactions come from, its keys, settings, clock and mailer."""

    uow: UnitOfWorkFactory
    keys: KeyStore
    settings: Settings
    clock: Clock
    mailer: Mailer
    remote: RemoteDocuments
    """Fetches other issuers' DID documents and status lists for the verifier (bounded, cached)."""

    @property
    def pepper(self) -> str:
        """The keyed-hash secret for learner pseudonyms."""
        return self.settings.pseudonym_pepper.get_secret_value()

    @property
    def session_secret(self) -> str:
        """Signs learner access links and share links."""
        return self.settings.session_secret.get_secret_value()

    @property
    def public_base_url(self) -> str:
        return self.settings.public_base_url.rstrip("/")
