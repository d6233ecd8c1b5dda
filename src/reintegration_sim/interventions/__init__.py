"""Interventions: policy levers as small classes with one lifecycle, found by their scenario key.

The base class, delivery and registry are in :mod:`.base`; the levers are grouped by where they
act (``custody``, ``transition``, ``family``...). Importing this package registers them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from . import community, cooperation, custody, family, practice, support, transition
from .base import REGISTRY, Delivery, Intervention, register

__all__ = [
    "REGISTRY",
    "Delivery",
    "Intervention",
    "Interventions",
    "interventions_model",
    "register",
]
_MODULES = (community, cooperation, custody, family, practice, support, transition)


def interventions_model() -> type[BaseModel]:
    """The pydantic model of a scenario's ``[interventions]`` table: one optional field per
    registered intervention, unknown keys refused (the error lists the known ones)."""
    fields: dict[str, Any] = {
        key: (cls | None, Field(None, description=cls.label)) for key, cls in REGISTRY.items()
    }
    return create_model(
        "Interventions",
        __config__=ConfigDict(frozen=True, extra="forbid", strict=True),
        __module__=__name__,
        **fields,
    )


#: the scenario's ``[interventions]`` table, built once every lever is registered (a module
#: attribute, so scenarios pickle to worker processes)
if TYPE_CHECKING:
    # its fields are known only once the levers are registered: to a type checker, a model
    Interventions = BaseModel
else:
    Interventions = interventions_model()
