"""A points table of its own per programme discipline (with its "and beyond" rule); sports and contests

Revision ID: 38ce2ea8ee9e
Revises: 22395b67569d
Create Date: 2026-11-22 22:27:15.437695

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "38ce2ea8ee9e"
down_revision = "22395b67569d"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on SQLite too (ADD/DROP COLUMN, SQLite 3.35+), not a copy of the table: copying
    # "sport" would drop it under the disciplines that refer to it, which the foreign keys refuse.
    # Existing entries keep the edition's table times their weight (no table of their own), and
    # existing sports stay sports: the server defaults fill the rows already there.
    with op.batch_alter_table("programme_entry", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("place_points", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("beyond_last", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("sport", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("sport", "contest", name="sportkind", native_enum=False, length=10),
                server_default="sport",
                nullable=False,
            )
        )


def downgrade():
    # The tables of their own and the kinds are lost: every discipline earns the edition's table
    # times its weight again, and contests count as sports.
    with op.batch_alter_table("sport", recreate="never") as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("programme_entry", recreate="never") as batch_op:
        batch_op.drop_column("beyond_last")
        batch_op.drop_column("place_points")
