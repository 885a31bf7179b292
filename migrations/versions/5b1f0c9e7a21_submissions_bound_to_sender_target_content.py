"""Submissions bound to their sender, target and content; not only result saves

Revision ID: 5b1f0c9e7a21
Revises: 38ce2ea8ee9e
Create Date: 2026-12-06 07:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1f0c9e7a21"
down_revision = "38ce2ea8ee9e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("processed_submission", schema=None) as batch_op:
        # rows saved before keep an empty sender, target and digest: a retry of one of them is still
        # recognised by its key, and only a result save could have made them
        batch_op.add_column(sa.Column("sender", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("target", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("outcome", sa.String(length=200), nullable=True))
        batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("discipline_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM processed_submission WHERE version IS NULL OR edition_id IS NULL OR discipline_id IS NULL")
    with op.batch_alter_table("processed_submission", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("discipline_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("outcome")
        batch_op.drop_column("digest")
        batch_op.drop_column("target")
        batch_op.drop_column("sender")
