"""ambassadors: the ambassador role, the people they help, sign-in cards, the help log

Revision ID: a7b5d2c1e9f3
Revises: 5a7c0ff11e01
Create Date: 2026-12-03 17:30:00
"""

from alembic import op
import sqlalchemy as sa

from lms.db import UTCDateTime


revision = "a7b5d2c1e9f3"
down_revision = "5a7c0ff11e01"
branch_labels = None
depends_on = None

OLD_ROLES = "'learner', 'teacher', 'verifier', 'official', 'admin'"
NEW_ROLES = OLD_ROLES + ", 'ambassador'"


def _roles(allowed: str) -> None:
    """Change the CHECK on lms_user_roles. SQLite cannot alter a constraint: the table is copied
    by hand (not a batch copy, which would not know the page-version triggers it carries) and
    the triggers are put back."""
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_lms_user_roles_role_known"), "lms_user_roles", type_="check")
        op.execute(f"DELETE FROM lms_user_roles WHERE role NOT IN ({allowed})")
        op.create_check_constraint(op.f("ck_lms_user_roles_role_known"), "lms_user_roles", f"role IN ({allowed})")
        return
    conn.execute(sa.text(
        "CREATE TABLE lms_user_roles_new (user_id INTEGER NOT NULL, role VARCHAR(16) NOT NULL, "
        f"CONSTRAINT ck_lms_user_roles_role_known CHECK (role IN ({allowed})), "
        "CONSTRAINT fk_lms_user_roles_user_id_lms_users FOREIGN KEY(user_id) REFERENCES lms_users (id) "
        "ON DELETE CASCADE, CONSTRAINT pk_lms_user_roles PRIMARY KEY (user_id, role))"))
    conn.execute(sa.text(
        f"INSERT INTO lms_user_roles_new (user_id, role) SELECT user_id, role FROM lms_user_roles "
        f"WHERE role IN ({allowed})"))
    conn.execute(sa.text("DROP TABLE lms_user_roles"))
    conn.execute(sa.text("ALTER TABLE lms_user_roles_new RENAME TO lms_user_roles"))
    # the page-version triggers went with the old table (lms.pageversions, as of this revision)
    for suffix, event in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")):
        row = "OLD" if suffix == "del" else "NEW"
        conn.execute(sa.text(
            f"CREATE TRIGGER lms_pv_lms_user_roles_{suffix} AFTER {event} ON lms_user_roles "
            f"WHEN {row}.user_id IS NOT NULL BEGIN "
            f"INSERT INTO lms_page_versions (user_id, version) VALUES ({row}.user_id, 1) "
            f"ON CONFLICT (user_id) DO UPDATE SET version = version + 1; END"))


def upgrade():
    _roles(NEW_ROLES)
    op.create_table(
        "lms_ambassador_people",
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_helped_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ambassador_id"], ["lms_users.id"],
                                name=op.f("fk_lms_ambassador_people_ambassador_id_lms_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["citizen_id"], ["lms_users.id"],
                                name=op.f("fk_lms_ambassador_people_citizen_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ambassador_id", "citizen_id", name=op.f("pk_lms_ambassador_people")),
    )
    op.create_index(op.f("ix_lms_ambassador_people_citizen_id"), "lms_ambassador_people", ["citizen_id"])
    op.create_table(
        "lms_signin_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["lms_users.id"], name=op.f("fk_lms_signin_cards_user_id_lms_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["lms_users.id"],
                                name=op.f("fk_lms_signin_cards_created_by_id_lms_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["lms_users.id"],
                                name=op.f("fk_lms_signin_cards_revoked_by_id_lms_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_signin_cards")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_signin_cards_token_hash")),
    )
    op.create_index(op.f("ix_lms_signin_cards_user_id"), "lms_signin_cards", ["user_id"])
    op.create_table(
        "lms_help_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ambassador_id"], ["lms_users.id"],
                                name=op.f("fk_lms_help_visits_ambassador_id_lms_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["citizen_id"], ["lms_users.id"],
                                name=op.f("fk_lms_help_visits_citizen_id_lms_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_help_visits")),
    )
    op.create_index("ix_lms_help_visits_ambassador_started", "lms_help_visits", ["ambassador_id", "started_at"])
    op.create_index(op.f("ix_lms_help_visits_citizen_id"), "lms_help_visits", ["citizen_id"])
    op.create_table(
        "lms_help_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["lms_help_visits.id"],
                                name=op.f("fk_lms_help_actions_visit_id_lms_help_visits"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_help_actions")),
    )
    op.create_index(op.f("ix_lms_help_actions_visit_id"), "lms_help_actions", ["visit_id"])


def downgrade():
    op.drop_table("lms_help_actions")
    op.drop_table("lms_help_visits")
    op.drop_table("lms_signin_cards")
    op.drop_table("lms_ambassador_people")
    _roles(OLD_ROLES)  # an ambassador's role row goes; the account and its work stay
