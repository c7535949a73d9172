"""The census: one row per stay (keyed by its visit number), its status changes, and the
control ids of the messages already applied (what makes a resent message a no-op).

Clinical times are the facility's wall clock, stored without a zone: the two-midnight rule
and the day of stay count the hospital's midnights, not UTC ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.db.base import Base, utcnow

__all__ = ["AdtMessage", "Stay", "StayChange"]


class Stay(Base):
    __tablename__ = "adt_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_number: Mapped[str] = mapped_column(String(64), unique=True)  # PV1-19 (= CLM01)
    facility: Mapped[str | None] = mapped_column(String(40), index=True)
    # PID-3 (MRN or member id): used only to find the payer when no IN1 came; never shown.
    patient_ref: Mapped[str | None] = mapped_column(String(80), index=True)
    age: Mapped[int | None]  # years at admission: what the grouper needs, not the birth date
    sex: Mapped[str | None] = mapped_column(String(1))
    payer_key: Mapped[str | None] = mapped_column(String(120), index=True)  # IN1-3, else IN1-4
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("payers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), index=True)  # active, discharged, cancelled
    patient_class: Mapped[str] = mapped_column(String(1))  # I inpatient, O observation, E ...
    # Time of the change that set status and class: a later event moves them, an older one
    # (arriving out of order) only joins the history.
    status_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    admit_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), index=True)
    discharge_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), index=True)
    attending_npi: Mapped[str | None] = mapped_column(String(20))
    attending_name: Mapped[str | None] = mapped_column(String(120))
    service: Mapped[str | None] = mapped_column(String(10))  # PV1-10 hospital service
    diagnoses: Mapped[str | None] = mapped_column(
        String(400)
    )  # working ICD-10-CM, first = principal
    diagnoses_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    procedures: Mapped[str | None] = mapped_column(String(400))  # "PCS:0SRC0J9,CPT:27447"
    authorized_days: Mapped[int | None]  # from the payer's authorization, when known
    # PV2-9: the discharge the physician expected with the order (the two-midnight
    # expectation), and when the feed said so (a replayed worklist sees it from then on).
    expected_discharge_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    expected_discharge_set_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )  # the stay's 837I once it is stored (closing the loop)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    changes: Mapped[list[StayChange]] = relationship(
        back_populates="stay", cascade="all, delete-orphan", order_by="StayChange.at"
    )


class StayChange(Base):
    """A status or class change (admit, obs->inpatient, discharge, cancel...), in time order."""

    __tablename__ = "adt_stay_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("adt_stays.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)
    event: Mapped[str] = mapped_column(String(4))  # A01, A06 ...
    status: Mapped[str] = mapped_column(String(12))
    patient_class: Mapped[str] = mapped_column(String(1))

    stay: Mapped[Stay] = relationship(back_populates="changes")


class AdtMessage(Base):
    """A message applied to the census, by its control id (MSH-10 or the FHIR bundle id)."""

    __tablename__ = "adt_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    control_id: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(8))  # hl7, fhir
    event: Mapped[str] = mapped_column(String(8))
    stay_id: Mapped[int | None] = mapped_column(
        ForeignKey("adt_stays.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    stay: Mapped[Stay | None] = relationship()
