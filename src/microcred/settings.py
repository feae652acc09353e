"""Every knob of microcred in one place: ``MICROCRED_*`` environment variables and ``microcred.toml``.

Settings are built on demand (``Settings()``, by ``bootstrap.build``), never at import time, so tests and tools can give
their own. Outside development, the shipped default secrets are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["DEVELOPMENT_SECRET", "RATE_LIMITS", "RATE_LIMITS_SETTINGS", "Settings"]

DEVELOPMENT_SECRET = "development-only-secret-change-me"
_SECRETS = ("pseudonym_pepper", "key_encryption_key", "session_secret")
RATE_LIMITS = ("token", "access_link", "access_link_client", "verification", "wallet")
"""The per-client budgets: each is set by ``MICROCRED_<LIMIT>_RATE`` and ``MICROCRED_<LIMIT>_BURST``."""
RATE_LIMITS_SETTINGS = tuple(f"{limit}_{part}" for limit in RATE_LIMITS for part in ("rate", "burst"))


class Settings(BaseSettings):
    """Configuration of one microcred installation."""

    model_config = SettingsConfigDict(env_prefix="MICROCRED_", toml_file="microcred.toml", extra="forbid", frozen=True)

    environment: Literal["development", "test", "production"] = Field(
        "development", description="development allows the shipped default secrets; production refuses them"
    )
    database_url: str = Field(
        "sqlite:///./microcred.db",
        description="SQLAlchemy URL: sqlite:///path (embedded default) or postgresql+psycopg://user@host/db",
    )
    pseudonym_pepper: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="secret key of the keyed hash that turns learner identifiers into pseudonyms",
    )
    key_encryption_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="secret that encrypts providers' private signing keys at rest",
    )
    session_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET), description="signs web sessions, learner links and share links"
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="base URL under which this register is reachable (did:web, links)"
    )
    host: str = Field("127.0.0.1", description="address `microcred serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="port `microcred serve` listens on")
    disclosure_threshold: int = Field(
        5, ge=1, description="groups of fewer learners than this count as 0 or this in published statistics"
    )
    outbox_dir: Path = Field(Path("./outbox"), description="where the development mailer writes e-mails")
    smtp_host: str = Field("", description="SMTP server for e-mail; required in production (no outbox there)")
    smtp_port: int = Field(587, ge=1, le=65535, description="port of the SMTP server (STARTTLS unless 465)")
    smtp_user: str = Field("", description="SMTP login, if the server asks for one")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password, if the server asks for one")
    mail_from: str = Field("microcred <no-reply@microcred.invalid>", description="sender of the register's e-mail")
    max_upload_bytes: int = Field(200 * 1024 * 1024, ge=1024, description="largest accepted import file")
    # Per-client budgets (services/limits.py): ``<limit>_burst`` requests at once, then ``<limit>_rate`` per
    # second. Checked by ``_refuse_empty_budgets``, which names the variable of a value that is not positive.
    token_rate: float = Field(20.0, description="requests per second of one API token, once the burst is spent")
    token_burst: int = Field(100, description="requests one API token may make at once before the rate applies")
    access_link_rate: float = Field(
        1 / 60, description="access-link requests per second for one e-mail address, once the burst is spent"
    )
    access_link_burst: int = Field(5, description="access-link requests for one e-mail address at once")
    access_link_client_rate: float = Field(
        1 / 30, description="access-link requests per second from one client address, once the burst is spent"
    )
    access_link_client_burst: int = Field(20, description="access-link requests from one client address at once")
    verification_rate: float = Field(
        1.0, description="anonymous verifications per second per client address, once the burst is spent"
    )
    verification_burst: int = Field(
        30, description="anonymous verifications a client address may ask at once before the rate applies"
    )
    wallet_rate: float = Field(
        2.0, description="wallet-app requests (OpenID4VCI, OpenID4VP) per second per client address, after the burst"
    )
    wallet_burst: int = Field(60, description="wallet-app requests a client address may make at once")
    # Staff sign-in throttling (services/throttle.py): this many failures pass, then each further one locks the
    # account (or the client address) for ``login_lock_seconds``, doubling up to the ceiling.
    login_account_free_failures: int = Field(5, ge=1, description="failed sign-ins an account has before it waits")
    login_client_free_failures: int = Field(
        20, ge=1, description="failed sign-ins one client address has before it waits (many people can share one)"
    )
    login_lock_seconds: int = Field(30, ge=1, description="the first wait after the free failures, doubling after")
    login_lock_ceiling_seconds: int = Field(900, ge=1, description="the longest wait after failed sign-ins")
    log_level: str = Field("INFO", description="level of the structured JSON logs")
    http_threads: int = Field(
        4, ge=1, le=64, description="requests one serving process works on at once (its thread pool); more wait"
    )
    catalogue_cache_size: int = Field(
        256, ge=0, description="catalogue API pages each serving process keeps while no offering changed; 0: none"
    )
    gc_freeze_at_startup: bool = Field(
        True,
        description="once started, move every object of the start-up (modules, templates, schemas) out of the "
        "cyclic garbage collector's reach, so a full collection scans only what requests allocate",
    )
    serve_jobs: bool = Field(
        True,
        description="`microcred serve` runs a job worker in each process; false when `microcred worker` runs apart",
    )
    job_lease_seconds: int = Field(
        60, ge=2, le=3600, description="a job whose worker sent no heartbeat for this long is resumed by another worker"
    )
    status_list_size: int = Field(
        131_072,
        ge=2,
        le=16_777_216,
        description="credentials in one of a provider's status lists; a full list makes way for the next. "
        "At least 131,072 in production (group privacy); smaller only so tests cross a list boundary",
    )
    deferred_transaction_days: int = Field(
        90,
        ge=1,
        le=365,
        description="days a wallet app may collect a credential offered before it was issued (deferred issuance)",
    )
    verifier_offline: bool = Field(
        False, description="the verifier fetches nothing: other issuers' did:web and status lists are not checked"
    )
    verifier_fetch_timeout: float = Field(
        5.0, gt=0, le=60, description="seconds one fetch of another issuer's DID document or status list may take"
    )
    verifier_fetch_max_bytes: int = Field(
        1024 * 1024, ge=1024, le=16 * 1024 * 1024, description="largest DID document or status list fetched"
    )
    verifier_cache_seconds: int = Field(
        300, ge=0, le=86_400, description="how long fetched DID documents and status lists are reused"
    )
    verifier_allow_local_addresses: bool = Field(
        False,
        description="tests only: fetch from loopback and private addresses (plain http from loopback); "
        "refused in production",
    )

    @field_validator(*RATE_LIMITS_SETTINGS)
    @classmethod
    def _refuse_empty_budgets(cls, value: float, info: ValidationInfo) -> float:
        """A budget of 0 would refuse every request, a negative one is meaningless: say which variable."""
        if not value > 0:  # also NaN
            raise ValueError(f"MICROCRED_{str(info.field_name).upper()} must be more than 0, not {value}")
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets_outside_development(self) -> Settings:
        if self.environment == "production":
            for name in _SECRETS:
                secret: SecretStr = getattr(self, name)
                if secret.get_secret_value() == DEVELOPMENT_SECRET or len(secret.get_secret_value()) < 16:
                    raise ValueError(
                        f"MICROCRED_{name.upper()} must be set to a secret of at least 16 characters in production"
                    )
            if self.status_list_size < 131_072:  # Bitstring Status List v1.0 §6.1: a list hides one among many
                raise ValueError("MICROCRED_STATUS_LIST_SIZE must be at least 131072 in production (group privacy)")
            if not self.smtp_host:  # the outbox folder is for development: production mail must leave the host
                raise ValueError("MICROCRED_SMTP_HOST must be set in production (the outbox mailer is for development)")
            if self.verifier_allow_local_addresses:  # a public verifier must not be steered at the intranet
                raise ValueError("MICROCRED_VERIFIER_ALLOW_LOCAL_ADDRESSES must be false in production")
            values = {getattr(self, name).get_secret_value() for name in _SECRETS}
            if len(values) < len(_SECRETS):  # one leaked value must not open all three (issue 15, finding 8)
                raise ValueError(
                    "MICROCRED_PSEUDONYM_PEPPER, MICROCRED_KEY_ENCRYPTION_KEY and MICROCRED_SESSION_SECRET "
                    "must differ from each other in production"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments win, then the environment, then microcred.toml.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
