"""Demo accounts and figures for a first look (``lms seed-demo``, run by ``make run``).

Passwords are random per installation and kept in the instance folder (mode 0600), so none
is ever committed; running again prints the same accounts. Accounts live in two provinces (so
that an official of one can be seen not to change the other's figures), and the first province
gets populations for the current year, so that the coverage dashboard has figures on first run.
Staff accounts have no audience: they are not learners of a path, and sign-in takes them to
their own pages (the teacher's classes, the official's province).

A demo family (``DEMO_FAMILY``) shows a "gia đình số": three linked accounts in the first
commune, the two adults holding their path certificate (issued here, as demo people do not take
the courses), the child needing none. It is on each member's page and counted on the dashboard.
"""

from __future__ import annotations

import json
import os
import secrets
import zlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from lms.accounts.models import User
from lms.accounts.services import NewAccount, create_accounts, set_roles
from lms.ambassadors.models import Helped
from lms.certificates import issuing
from lms.clock import local_today
from lms.coverage.baselines import save_baselines, save_vneid
from lms.coverage.models import Baseline
from lms.db import db
from lms.households.models import Household, HouseholdMember
from lms.households.rules import is_adult
from lms.outreach.models import OutreachActivity
from lms.units.models import AdminUnit

#: username, full name, roles, audience, where: "A" the first province's commune, "A*" that
#: province itself, "B" a commune of a second province, "B*" that province itself
DEMO_ACCOUNTS = (
    ("admin", "Quản trị viên", {"admin"}, None, "A"),
    ("giaovien", "Trần Thị Giáo", {"teacher"}, None, "A"),
    ("canbo", "Lê Văn Cán", {"official"}, None, "A*"),
    ("kiemtra", "Phạm Thu Kiểm", {"verifier"}, None, None),
    ("0912345678", "Nguyễn Văn An", set(), "citizens", "A"),
    ("hocsinh", "Đỗ Minh Học", set(), "students", "A"),
    ("congnhan", "Vũ Thị Công", set(), "workers", "B"),
    ("0987654321", "Hoàng Thị Bình", set(), "citizens", "B"),
    ("canbo2", "Ngô Văn Tỉnh", {"official"}, None, "B*"),
    ("daisu", "Phan Thị Sứ", {"ambassador"}, None, "A"),
)
#: the demo ambassador helps this citizen of the same commune (lms.ambassadors)
DEMO_HELPED = ("daisu", "0912345678")
#: username, full name, audience, birth year: a household whose adults hold their path certificate
DEMO_FAMILY = (
    ("0911111101", "Nguyễn Thị Mai", "citizens", 1982),
    ("0911111102", "Phạm Văn Hùng", "workers", 1979),
    ("0911111103", "Phạm Minh Khôi", "students", 2014),
)
#: per commune: (officials, students, workers, citizens) ranges; adults = workers + citizens + officials
_SIZES = {"officials": (40, 120), "students": (800, 3000), "workers": (1000, 6000), "citizens": (4000, 15000)}
DEMO_SOURCE = "Số liệu mẫu (lms seed-demo)"


def _passwords(instance: Path) -> dict[str, str]:
    """The installation's demo passwords; accounts added to the list later get one too."""
    path = instance / "demo-accounts.json"
    passwords = json.loads(path.read_text()) if path.exists() else {}
    missing = [name for name, *_ in (*DEMO_ACCOUNTS, *DEMO_FAMILY) if name not in passwords]
    if missing or not path.exists():
        passwords |= {name: "demo-" + secrets.token_urlsafe(6) for name in missing}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(passwords, handle)
    return passwords


def _places() -> dict[str, AdminUnit | None]:
    """The first commune (by code) and its province, and a commune of another province."""
    communes = select(AdminUnit).where(AdminUnit.level == "commune").order_by(AdminUnit.code)
    first = db.session.scalar(communes)
    province_a = first.parent if first is not None else None
    second = None
    if province_a is not None:
        second = db.session.scalar(communes.where(~AdminUnit.path.startswith(province_a.path)))
    province_b = second.parent if second is not None else None
    return {"A": first, "A*": province_a, "B": second or first, "B*": province_b or province_a}


def _demo_number(code: str, low: int, high: int) -> int:
    """The same 'random' figure for a commune on every installation (a checksum of its code)."""
    return low + zlib.crc32(code.encode()) % (high - low + 1)


def seed_populations(province: AdminUnit, year: int) -> int:
    """Populations of every commune of ``province`` for ``year`` and a VNeID figure, unless the
    province already has any population that year (never overwrites figures an official typed)."""
    communes = list(db.session.scalars(select(AdminUnit).where(
        AdminUnit.path.startswith(province.path), AdminUnit.level == "commune")))
    ids = [province.id, *(c.id for c in communes)]
    if not communes or db.session.scalar(select(func.count()).select_from(Baseline).where(
            Baseline.unit_id.in_(ids), Baseline.year == year)):
        return 0
    rows, confirmed = [], []
    for commune in communes:
        sizes = {group: _demo_number(f"{commune.code}{group}", *span) for group, span in _SIZES.items()}
        sizes["adults"] = sizes["officials"] + sizes["workers"] + sizes["citizens"]
        rows += [(commune.id, group, year, n) for group, n in sizes.items()]
        confirmed.append((commune.id, year, sizes["adults"] * _demo_number(commune.code, 20, 60) // 100, None))
    save_baselines(rows, DEMO_SOURCE)
    save_vneid(confirmed)
    return len(rows)


def _seed_help(ambassador_name: str, citizen_name: str) -> None:
    ambassador = db.session.scalar(select(User).where(User.username == ambassador_name))
    citizen = db.session.scalar(select(User).where(User.username == citizen_name))
    if ambassador is not None and citizen is not None and db.session.get(
            Helped, (ambassador.id, citizen.id)) is None:
        db.session.add(Helped(ambassador_id=ambassador.id, citizen_id=citizen.id, registered=False))


#: (days before today, kind, people reached, note); where: None the province itself, else its n-th commune
_ACTIVITIES = (
    (3, "meeting", 45, None, "Sinh hoạt chi bộ khu phố: giới thiệu phong trào “Bình dân học vụ số”"),
    (10, "broadcast", 2400, 0, "Phát trên loa truyền thanh mỗi sáng trong tuần"),
    (18, "visual", 1500, 1, "Treo băng rôn, khẩu hiệu tại chợ và nhà văn hóa"),
    (25, "post", 8000, None, "Bài viết trên cổng thông tin điện tử và trang Zalo của tỉnh"),
    (40, "talk", 120, None, "Hội nghị báo cáo viên: kỹ năng số cho cán bộ cơ sở"),
    (55, "community", 300, 0, "Tổ công nghệ số cộng đồng đến từng hộ hướng dẫn cài VNeID"),
)


def seed_activities(province: AdminUnit) -> int:
    """A few outreach activities of the last two months in ``province`` and its first communes,
    unless the province already has any (never mixes with activities an official recorded)."""
    communes = list(db.session.scalars(select(AdminUnit).where(
        AdminUnit.path.startswith(province.path), AdminUnit.level == "commune").order_by(AdminUnit.code).limit(2)))
    within = select(AdminUnit.id).where(AdminUnit.path.startswith(province.path))
    if db.session.scalar(select(func.count()).select_from(OutreachActivity).where(
            OutreachActivity.unit_id.in_(within))):
        return 0
    today = local_today()
    for days, kind, reached, where, note in _ACTIVITIES:
        unit = province if where is None or where >= len(communes) else communes[where]
        day = today - timedelta(days=days)
        db.session.add(OutreachActivity(unit_id=unit.id, kind=kind, starts_on=day, ends_on=day, reached=reached,
                                        note=note))
    return len(_ACTIVITIES)


def seed_demo(instance: Path) -> list[str]:
    passwords = _passwords(instance)
    places = _places()
    lines = ["Demo accounts (username / password / roles / unit):"]
    family = [(username, full_name, set(), audience, "A", born) for username, full_name, audience, born in DEMO_FAMILY]
    people = [(*account, 1980) for account in DEMO_ACCOUNTS] + family
    for username, full_name, roles, audience, where, born in people:
        user = db.session.scalar(select(User).where(User.username == username))
        unit = places.get(where) if where else None
        if user is None:
            [user_id] = create_accounts([NewAccount(
                username=username, phone=username if username.isdigit() else None, full_name=full_name,
                audience=audience, unit_id=unit.id if unit else None, birth_year=born,
                password_hash=generate_password_hash(passwords[username]),
            )])
            user = db.session.get(User, user_id)
            set_roles(user, roles)
        place = user.unit.name if user.unit is not None else ""
        lines.append(f"  {username:<12} {passwords[username]:<16} {', '.join(sorted(user.roles)):<18} {place}")
    _seed_help(*DEMO_HELPED)
    seed_family()  # the same lines on every run: the family is listed whether made now or before
    lines.append("Demo digital household (gia đình số): " + ", ".join(name for _u, name, *_r in DEMO_FAMILY))
    province = places["A*"]
    if province is not None:
        year = local_today().year
        seed_populations(province, year)
        lines.append(f"Demo populations {year}: the communes of {province.name} ({DEMO_SOURCE})")
        if seed_activities(province):
            lines.append(f"Demo outreach activities: {province.name} and its first communes")
    db.session.commit()
    return lines


def seed_family() -> bool:
    """Link the demo family and give its adults their path certificate; False (nothing done) when a
    member is already in a household, so running again adds nothing twice."""
    users = [db.session.scalar(select(User).where(User.username == username)) for username, *_ in DEMO_FAMILY]
    linked = select(func.count()).select_from(HouseholdMember).where(
        HouseholdMember.user_id.in_([u.id for u in users if u is not None]))
    if any(user is None for user in users) or db.session.scalar(linked):
        return False
    household = Household()
    db.session.add(household)
    db.session.flush()
    for user in users:
        db.session.add(HouseholdMember(user_id=user.id, household_id=household.id))
        if is_adult(user.birth_year, local_today().year):
            issuing.issue(user, "path", user.audience)
    db.session.flush()
    return True
