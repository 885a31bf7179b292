"""The audit trail, newest first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from cartel.admin.base import bp
from cartel.extensions import db
from cartel.models import AuditEntry


@bp.get("/audit")
def audit_log():
    rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200))
    return render_template("admin/audit.html", rows=list(rows))
