"""Schema validation and generation for the API, on the engine's rules.

Validation runs in the API process: the engine's walk over a schema is bounded (node budget,
depth and property limits), so even a hostile schema answers fast. Proposing a schema *from a
file* parses a document, so that runs in a worker process (``WorkerPool.run_interactive``) with
the same time and memory limits as jobs.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Optional

from lib.server.context import ServerContext
from lib.server.errors import BadRequest, QueueFull, Unavailable

PROPOSE_MAX_PAGES = 20
MAX_PROMPT_CHARS = 20_000


def check_schema(schema: Any) -> dict[str, Any]:
    """The normalised schema, or a 400 whose message names the JSON pointer and the rule broken."""
    from lib.engine.errors import SchemaError
    from lib.engine.schema import validate_schema

    try:
        return validate_schema(schema)
    except SchemaError as error:
        raise BadRequest(f"Invalid data_schema: {error.reason} (at {error.pointer}).") from None
    except RecursionError:
        raise BadRequest("Invalid data_schema: it is nested too deeply to check (at /).") from None


def _propose_module() -> Any:
    try:
        from lib.engine import propose
    except ImportError as error:
        raise Unavailable(f"Schema generation is not available in this build of the engine ({error}).") from None
    return propose


def _from_prompt(prompt: str) -> dict[str, Any]:
    from lib.engine.errors import EngineError

    schema_from_prompt = _propose_module().schema_from_prompt

    try:
        return schema_from_prompt(prompt)
    except EngineError as error:
        raise BadRequest(f"Could not make a schema from the prompt: {error}") from None


def _from_file(ctx: ServerContext, file_id: str) -> dict[str, Any]:
    _propose_module()
    row = ctx.store.get_file(file_id)
    task = {
        "kind": "propose",
        "file_path": str(ctx.store.file_path(file_id)),
        "filename": row["name"],
        "max_pages": PROPOSE_MAX_PAGES,
    }
    result = ctx.pool.run_interactive(task, timeout_s=ctx.settings.job_timeout_s)
    if result is None:
        raise QueueFull("Another schema proposal from a file is running; retry in a few seconds.")
    if result.how == "stopping":
        raise Unavailable("The server is shutting down; try again in a moment.")
    if result.how != "done":
        raise BadRequest(f"Could not read {row['name']} to propose a schema: {ctx.limit_message(result)}")
    status, value = result.outcome
    if status != "ok":
        raise BadRequest(f"Could not propose a schema from {row['name']}: {value}")
    return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` plus the properties of ``extra`` it does not have yet (refining keeps what was given)."""
    merged = dict(base)
    properties = dict(base.get("properties") or {})
    required = list(base.get("required") or [])
    for name, node in (extra.get("properties") or {}).items():
        if name not in properties:
            properties[name] = node
            if name in (extra.get("required") or []) and name not in required:
                required.append(name)
    merged["type"] = "object"
    merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _default_name(prompt: Optional[str], file_name: Optional[str]) -> str:
    if file_name:
        return f"{PurePosixPath(file_name).stem} schema"
    if prompt:
        words = re.findall(r"[A-Za-z0-9]+", prompt)[:5]
        if words:
            return " ".join(words).capitalize()
    return "Generated schema"


def generate(ctx: ServerContext, *, prompt: Optional[str], file_id: Optional[str],
             data_schema: Optional[dict[str, Any]], name: Optional[str]) -> dict[str, Any]:
    """``{name, parameters: {product_type: "extract_v2", data_schema}}`` from a prompt, a file, or
    an existing schema to refine (their properties merged, the given schema's taking precedence)."""
    prompt = (prompt or "").strip() or None
    if prompt and len(prompt) > MAX_PROMPT_CHARS:
        raise BadRequest(f"The prompt is longer than {MAX_PROMPT_CHARS:,} characters; list the fields more briefly.")
    if not (prompt or file_id or data_schema):
        raise BadRequest("Give a prompt (the fields in plain words), a file_id to analyse, or a data_schema to refine.")
    schema: dict[str, Any] = check_schema(data_schema) if data_schema else {"type": "object", "properties": {}}
    file_name = ctx.store.get_file(file_id)["name"] if file_id else None
    if file_id:
        schema = _merge(schema, _from_file(ctx, file_id))
    if prompt:
        schema = _merge(schema, _from_prompt(prompt))
    if not schema.get("properties"):
        raise BadRequest("No fields could be found to build a schema from; name the fields in the prompt, e.g. "
                         "'invoice number, date, total'.")
    return {
        "name": (name or "").strip() or _default_name(prompt, file_name),
        "parameters": {"product_type": "extract_v2", "data_schema": check_schema(schema)},
    }
