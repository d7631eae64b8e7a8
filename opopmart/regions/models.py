from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RegionKind(StrEnum):
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"


JAWA_TIMUR = "35"


class Region(db.Model):
    """A province (``35``) or a kabupaten/kota (``35.78``) by its Kemendagri code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[RegionKind] = mapped_column(
        Enum(RegionKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    province_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("regions.code"), index=True
    )

    @property
    def display_name(self) -> str:
        return region_label(self.kind, self.name)


def region_label(kind: RegionKind | str, name: str) -> str:
    kind = RegionKind(kind)
    if kind is RegionKind.KOTA:
        return f"Kota {name}"
    if kind is RegionKind.KABUPATEN:
        return f"Kab. {name}"
    return name
