"""Entry links printed ahead of their edition open with it: a time they are valid from

Revision ID: 7c1d2e3f4a5b
Revises: 004032d0c304
Create Date: 2026-12-06 22:25:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1d2e3f4a5b"
down_revision = "004032d0c304"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entry_link") as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("entry_link") as batch_op:
        batch_op.drop_column("valid_from")
