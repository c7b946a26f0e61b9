"""Demo accounts for a first look (``lms seed-demo``, run by ``make run``).

Passwords are random per installation and kept in the instance folder (mode 0600), so none
is ever committed; running again prints the same accounts.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lms.accounts.models import User
from lms.accounts.services import NewAccount, create_accounts, set_roles
from lms.db import db
from lms.units.models import AdminUnit

DEMO_ACCOUNTS = (
    # username, full name, roles, audience
    ("admin", "Quản trị viên", {"admin"}, None),
    ("giaovien", "Trần Thị Giáo", {"teacher"}, "citizens"),
    ("canbo", "Lê Văn Cán", {"official"}, "officials"),
    ("kiemtra", "Phạm Thu Kiểm", {"verifier"}, None),
    ("0912345678", "Nguyễn Văn An", set(), "citizens"),
    ("hocsinh", "Đỗ Minh Học", set(), "students"),
    ("congnhan", "Vũ Thị Công", set(), "workers"),
)


def _passwords(instance: Path) -> dict[str, str]:
    path = instance / "demo-accounts.json"
    if path.exists():
        return json.loads(path.read_text())
    passwords = {name: "demo-" + secrets.token_urlsafe(6) for name, *_ in DEMO_ACCOUNTS}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(passwords, handle)
    return passwords


def seed_demo(instance: Path) -> list[str]:
    passwords = _passwords(instance)
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.level == "commune").order_by(AdminUnit.code))
    lines = ["Demo accounts (username / password / roles):"]
    for username, full_name, roles, audience in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            [user_id] = create_accounts([NewAccount(
                username=username, phone=username if username.isdigit() else None, full_name=full_name,
                audience=audience, unit_id=unit.id if unit else None, birth_year=1980,
                password_hash=generate_password_hash(passwords[username]),
            )])
            user = db.session.get(User, user_id)
            set_roles(user, roles)
        lines.append(f"  {username:<12} {passwords[username]:<16} {', '.join(sorted(user.roles))}")
    db.session.commit()
    return lines
