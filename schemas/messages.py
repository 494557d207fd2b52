"""Queue messages: what the watcher and ``sohoa redigitise`` ask a worker to do.

A message names its work, it never carries it: the worker reads the bytes from the store.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class IntakeMessage(BaseModel):
    """Digitise an intake unit: a lone file ``intake/<agency>/<file>`` or a dossier folder
    ``intake/<agency>/<folder>/`` (ending in ``/``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["intake"] = "intake"
    unit: str = Field(min_length=8, max_length=1024)
    version: str = Field("", description="the version that made it ready, for the record")


class RedigitiseMessage(BaseModel):
    """Digitise a stored dossier again from its originals, with this worker's pipeline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["redigitise"] = "redigitise"
    dossier_id: int = Field(ge=1)
    batch_id: int | None = Field(None, ge=1)


DossierMessage = Annotated[IntakeMessage | RedigitiseMessage, Field(discriminator="kind")]
MESSAGE = TypeAdapter(DossierMessage)
