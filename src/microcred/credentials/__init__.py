"""Verifiable credentials for the register: OB 3.0 / VC 2.0 documents, contexts, proofs, status lists.

The cryptographic core here works on plain JSON documents (dicts) and knows nothing of the domain
model or the database.
"""

from __future__ import annotations
