"""IDs as the hosted API spells them: a prefix and a UUID4 (``dfl-``, ``ext-``, ``cfg-``, ``pjb-``)."""

from __future__ import annotations

import re
import uuid

FILE_PREFIX = "dfl"
EXTRACT_JOB_PREFIX = "ext"
CONFIGURATION_PREFIX = "cfg"
PARSE_JOB_PREFIX = "pjb"
PROJECT_PREFIX = "prj"

_ID_RE = re.compile(r"^(dfl|ext|cfg|pjb|prj)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def new_id(prefix: str) -> str:
    """A fresh ID with the given prefix; random, so one ID says nothing about another."""
    return f"{prefix}-{uuid.uuid4()}"


def id_prefix(value: str) -> str | None:
    """The prefix of a well-formed ID, or None when the string is not one of ours."""
    match = _ID_RE.match(value or "")
    return match.group(1) if match else None
