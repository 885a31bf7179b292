"""Public revisions of editions and history, result update time

Revision ID: fbf21174b863
Revises: 2d33e8ba50db
Create Date: 2026-11-22 18:38:05.500724

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fbf21174b863"
down_revision = "2d33e8ba50db"
branch_labels = None
depends_on = None


def upgrade():
    history = op.create_table(
        "history_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("revised_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_revision")),
    )
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("revised_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("programme_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))

    # The single row every public change bumps; results saved before this migration were last
    # updated at their last correction, else at their first publication.
    op.bulk_insert(history, [{"id": 1, "revision": 1}])
    op.execute("UPDATE programme_entry SET updated_at = COALESCE(corrected_at, published_at)")


def downgrade():
    with op.batch_alter_table("programme_entry", schema=None) as batch_op:
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("revised_at")
        batch_op.drop_column("revision")

    op.drop_table("history_revision")
