"""Verifiable credentials for the register: OB 3.0 / VC 2.0 documents, contexts, proofs, status lists.

The cryptographic core (canonicalisation, cryptosuites, proofs, verification) works on plain JSON documents;
the document builders (``ob3``, ``elm``, ``did_web``) read domain values. Nothing here knows the database.
"""

from __future__ import annotations
