"""The seed's example response must survive a round trip through our models unchanged."""

import json
import re
from pathlib import Path

import pytest

from lib.api.ids import id_prefix, new_id
from lib.api.models import ExtractV2Job, FieldMetadataEntry

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "extract-create.md"


def _seed_response() -> dict:
    text = SEED.read_text()
    block = re.search(r"#### Response ```json (.*?) ```", text, re.S)
    assert block, "the seed's example response was not found"
    return json.loads(block.group(1))


@pytest.mark.skipif(not SEED.exists(), reason="shared/ is not beside the checkout")
def test_seed_response_round_trips():
    raw = _seed_response()
    job = ExtractV2Job.model_validate(raw)
    assert job.id.startswith("ext-")
    assert job.configuration.extraction_target == "per_doc"
    again = json.loads(job.model_dump_json(exclude_unset=True))
    assert again["extract_metadata"] == raw["extract_metadata"]
    assert again["configuration"] == raw["configuration"]
    assert again["metadata"] == raw["metadata"]
    assert again["extract_result"] == raw["extract_result"]


def test_unknown_fields_are_kept():
    job = ExtractV2Job.model_validate(
        {
            "id": new_id("ext"),
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "file_input": new_id("dfl"),
            "project_id": new_id("prj"),
            "status": "COMPLETED",
            "usage": {"credits": 3.5},
            "configuration": {"data_schema": {"type": "object"}, "spreadsheet_mode": False},
        }
    )
    assert job.model_dump()["usage"] == {"credits": 3.5}
    assert job.configuration.model_dump()["spreadsheet_mode"] is False


def test_odd_metadata_values_parse():
    entry = FieldMetadataEntry.model_validate({"citation": "bar", "confidence": "bar"})
    assert entry.citation == "bar"


def test_ids_have_prefix_and_are_unique():
    a, b = new_id("dfl"), new_id("dfl")
    assert a != b and id_prefix(a) == "dfl"
    assert id_prefix("dfl-../../etc/passwd") is None
