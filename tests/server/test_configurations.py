"""Saved configurations over real HTTP: create (an upsert by name), get, update, list, delete, and a job by ID."""

from __future__ import annotations

import os

import httpx

from tests.server.helpers import TEXT_DOC, TEXT_SCHEMA, create_job, upload, wait_job

BASE = "/api/v1/beta/configurations"


def _create(client: httpx.Client, name: str, **parameters: object) -> httpx.Response:
    return client.post(BASE, json={"name": name, "parameters": {"product_type": "extract_v2", "data_schema": TEXT_SCHEMA,
                                                                 **parameters}})


def test_crud_and_upsert(client: httpx.Client) -> None:
    name = f"invoices-{os.urandom(3).hex()}"
    created = _create(client, name, tier="agentic", cite_sources=True)
    assert created.status_code == 200, created.text
    config = created.json()
    assert config["id"].startswith("cfg-") and config["product_type"] == "extract_v2" and config["version"]
    assert config["parameters"]["tier"] == "agentic" and config["parameters"]["data_schema"] == TEXT_SCHEMA
    assert client.get(f"{BASE}/{config['id']}").json()["name"] == name

    again = _create(client, name, tier="cost_effective").json()
    assert again["id"] == config["id"] and again["parameters"]["tier"] == "cost_effective"
    assert again["version"] > config["version"]

    renamed = client.put(f"{BASE}/{config['id']}", json={"name": name + "-v2"}).json()
    assert renamed["name"] == name + "-v2" and renamed["parameters"]["tier"] == "cost_effective"
    updated = client.put(f"{BASE}/{config['id']}", json={"parameters": {"product_type": "extract_v2",
                                                                         "data_schema": TEXT_SCHEMA, "max_pages": 3}})
    assert updated.json()["parameters"]["max_pages"] == 3 and updated.json()["name"] == name + "-v2"

    assert client.delete(f"{BASE}/{config['id']}").status_code == 204
    assert client.get(f"{BASE}/{config['id']}").status_code == 404
    assert client.put(f"{BASE}/{config['id']}", json={"name": "x"}).status_code == 404
    assert client.delete(f"{BASE}/{config['id']}").status_code == 404


def test_invalid_configurations(client: httpx.Client) -> None:
    bad_schema = client.post(BASE, json={"name": "bad", "parameters": {"product_type": "extract_v2",
                                                                        "data_schema": {"type": "array"}}})
    assert bad_schema.status_code == 400 and "/type" in bad_schema.json()["detail"]
    assert client.post(BASE, json={"name": "x", "parameters": {"product_type": "parse_v2"}}).status_code == 422
    pages = client.post(BASE, json={"name": "pages", "parameters": {"product_type": "extract_v2", "data_schema": TEXT_SCHEMA,
                                                                  "target_pages": "3-1"}})
    assert pages.status_code == 400 and "reversed" in pages.json()["detail"]
    assert _create(client, "   ").status_code == 400
    first, second = _create(client, f"a-{os.urandom(3).hex()}").json(), _create(client, f"b-{os.urandom(3).hex()}").json()
    clash = client.put(f"{BASE}/{second['id']}", json={"name": first["name"]})
    assert clash.status_code == 409


def test_list_paging_and_filters(client: httpx.Client) -> None:
    tag = os.urandom(3).hex()
    ids = [_create(client, f"{tag}-{i}").json()["id"] for i in range(3)]
    page = client.get(BASE, params={"page_size": 2}).json()
    assert len(page["items"]) == 2 and page["next_page_token"]
    rest = client.get(BASE, params={"page_size": 2, "page_token": page["next_page_token"]}).json()
    listed = [c["id"] for c in page["items"] + rest["items"]]
    assert listed[:3] == list(reversed(ids))
    named = client.get(BASE, params={"name": f"{tag}-1"}).json()
    assert [c["id"] for c in named["items"]] == [ids[1]]
    assert client.get(BASE, params={"product_type": "classify_v2", "name": f"{tag}-1"}).json()["items"] == []


def test_job_by_configuration_id(client: httpx.Client) -> None:
    config = _create(client, f"job-{os.urandom(3).hex()}", confidence_scores=True).json()
    f = upload(client, TEXT_DOC, "cfg.txt")
    job = create_job(client, f["id"], configuration_id=config["id"])
    assert job["configuration_id"] == config["id"]
    done = wait_job(client, job["id"])
    assert done["status"] == "COMPLETED" and done["extract_result"]["invoice_number"] == "INV-77"
    assert done["extract_metadata"]  # confidence_scores in the saved configuration
    listed = client.get("/api/v2/extract", params={"configuration_id": config["id"]}).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    # the job keeps the configuration it ran with after the saved one changes or goes
    client.delete(f"{BASE}/{config['id']}")
    kept = client.get(f"/api/v2/extract/{job['id']}", params={"expand": "configuration"}).json()
    assert kept["configuration"]["data_schema"] == TEXT_SCHEMA and kept["configuration"]["confidence_scores"] is True
