"""Administrative units: province, optional district (pre-2025 data), commune."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import db

LEVELS: tuple[str, ...] = ("province", "district", "commune")


class AdminUnit(db.Model):
    __tablename__ = "lms_units"
    __table_args__ = (
        CheckConstraint("level IN ('province', 'district', 'commune')", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official code, zero-padded: 2 digits for provinces, 3 for districts, 5 for communes
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"), index=True)
    #: "/79/" for a province, "/79/25920/" for a commune: ancestors' codes, so that
    #: "this unit or any unit below it" is one indexed prefix match
    path: Mapped[str] = mapped_column(String(64), index=True)
    #: which edition of the official list the unit came from (e.g. "19/2025/QĐ-TTg")
    list_version: Mapped[str] = mapped_column(String(64), default="")

    parent = relationship("AdminUnit", remote_side=[id], lazy="joined", join_depth=2)

    @property
    def province_code(self) -> str:
        return self.path.strip("/").split("/")[0]

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name}>"
