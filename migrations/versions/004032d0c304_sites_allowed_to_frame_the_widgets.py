"""Sites allowed to frame the embeddable widgets (/embed/...)

Revision ID: 004032d0c304
Revises: f63b3c22ef21
Create Date: 2026-12-06 19:28:22.020028

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "004032d0c304"
down_revision = "f63b3c22ef21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "embed_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_origin")),
        sa.UniqueConstraint("origin", name=op.f("uq_embed_origin_origin")),
    )


def downgrade():
    op.drop_table("embed_origin")
