"""Column helpers shared by the models."""
from __future__ import annotations

import enum

import sqlalchemy as sa


def enum_column(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by its value as a short string (no native DB enum type)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
