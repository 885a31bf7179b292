"""A match's sequence for calendar feeds: it grows each time the match moves

Revision ID: f63b3c22ef21
Revises: 1b8257aa025b
Create Date: 2026-12-06 19:25:58.649382

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f63b3c22ef21"
down_revision = "1b8257aa025b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_column("sequence")
