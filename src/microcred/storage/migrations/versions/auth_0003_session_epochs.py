"""access: staff sessions can be ended, and a staff member's API tokens end with them

``staff_accounts.session_epoch`` is the generation of the account's sessions: a web session holds the staff
id and the epoch it started in, and is honoured only while both match an active account. Logout,
deactivation and a password change raise the epoch. ``api_tokens.staff_id`` names the staff member who
created a token on the desk, so ending their sessions revokes those tokens too (issue 15, finding 3).

Revision ID: auth_0003
Revises: auth_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "auth_0003"
down_revision = "auth_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("staff_accounts") as batch:
        batch.alter_column("session_epoch", existing_type=sa.Integer(), server_default=None)
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_api_tokens_staff_id_staff_accounts"), "staff_accounts", ["staff_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("fk_api_tokens_staff_id_staff_accounts"), type_="foreignkey")
        batch.drop_column("staff_id")
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("session_epoch")
