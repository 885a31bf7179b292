"""Entry links scoped to a venue: the matches played there, whatever their discipline

Revision ID: 1b8257aa025b
Revises: 0cd73e67974f
Create Date: 2026-12-06 18:39:42.631039

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1b8257aa025b"
down_revision = "0cd73e67974f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entry_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue_id", sa.Integer(), nullable=True))
        batch_op.alter_column("discipline_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_entry_link_venue_id_venue"), "venue", ["venue_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    # a venue's links cannot be kept without a discipline: their audit lines keep their words, not the link
    op.execute(
        "UPDATE audit_entry SET link_id = NULL WHERE link_id IN (SELECT id FROM entry_link WHERE discipline_id IS NULL)"
    )
    op.execute("DELETE FROM entry_link WHERE discipline_id IS NULL")
    with op.batch_alter_table("entry_link", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entry_link_venue_id_venue"), type_="foreignkey")
        batch_op.alter_column("discipline_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("venue_id")
