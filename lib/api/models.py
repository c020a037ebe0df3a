"""The Extract v2 wire format: one set of pydantic models shared by client, server and engine.

Every model accepts unknown fields (``extra="allow"``) so that a newer hosted response, or a
request from a newer SDK, still parses; the fields named here are the ones the seed and
``shared/api/README.md`` document, with their exact names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

JSONValue = Union[dict[str, Any], list[Any], str, float, int, bool, None]

ExtractionTarget = Literal["per_doc", "per_page", "per_table_row"]
JobStatus = Literal["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
ACTIVE_STATUSES: frozenset[str] = frozenset({"PENDING", "RUNNING"})
FILE_PURPOSES = ("user_data", "parse", "extract", "classify", "split", "sheet", "agent_app")
EXPAND_OPTIONS = ("configuration", "extract_metadata", "usage")
EXTRACT_EVENTS = (
    "extract.pending",
    "extract.success",
    "extract.error",
    "extract.partial_success",
    "extract.cancelled",
)


class ApiModel(BaseModel):
    """Base of every wire model: unknown fields are kept, not rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --- citations, confidence and metadata -------------------------------------------------------


class BoundingBox(ApiModel):
    """A rectangle on a page, in the page's own units (PDF points for PDFs, pixels for images)."""

    x: float
    y: float
    w: float
    h: float


class PageDimensions(ApiModel):
    width: float
    height: float


class Citation(ApiModel):
    """Where a value was read: 1-based page, the text on that page, and its boxes."""

    page: Optional[int] = None
    matching_text: Optional[str] = None
    bounding_boxes: Optional[list[BoundingBox]] = None
    page_dimensions: Optional[PageDimensions] = None


class FieldMetadataEntry(ApiModel):
    """Metadata of one leaf value. Hosted responses sometimes carry odd shapes here
    (the seed shows ``"citation": "bar"``), so every field is loosely typed."""

    citation: Optional[Union[list[Citation], Any]] = None
    confidence: Optional[Union[float, Any]] = None
    extraction_confidence: Optional[Union[float, Any]] = None
    parsing_confidence: Optional[Union[float, Any]] = None


class ExtractedFieldMetadata(ApiModel):
    """Per-field metadata following the result's nesting (see the seed for the shapes)."""

    document_metadata: Optional[dict[str, Any]] = None
    page_metadata: Optional[list[dict[str, Any]]] = None
    row_metadata: Optional[list[dict[str, Any]]] = None


class ExtractJobMetadata(ApiModel):
    field_metadata: Optional[ExtractedFieldMetadata] = None
    parse_job_id: Optional[str] = None
    parse_tier: Optional[str] = None


class ExtractJobUsage(ApiModel):
    num_document_tokens: Optional[int] = None
    num_output_tokens: Optional[int] = None
    num_pages_extracted: Optional[int] = None


class JobMetadata(ApiModel):
    """Job-level metadata (``metadata`` of a job): carries ``usage``."""

    usage: Optional[ExtractJobUsage] = None


# --- configuration and webhooks ----------------------------------------------------------------


class WebhookConfiguration(ApiModel):
    webhook_url: Optional[str] = None
    webhook_events: Optional[list[str]] = None
    webhook_headers: Optional[dict[str, str]] = None
    webhook_output_format: Optional[str] = None
    webhook_signing_secret: Optional[str] = None


class ExtractConfiguration(ApiModel):
    """Extract configuration combining parse and extract settings (the seed's fields)."""

    data_schema: dict[str, Any]
    cite_sources: Optional[bool] = None
    confidence_scores: Optional[bool] = None
    extract_version: Optional[str] = None
    extraction_target: Optional[ExtractionTarget] = None
    max_pages: Optional[int] = None
    parse_config_id: Optional[str] = None
    parse_tier: Optional[str] = None
    system_prompt: Optional[str] = None
    target_pages: Optional[str] = None
    tier: Optional[str] = None


# --- extract jobs ------------------------------------------------------------------------------


class ExtractJobCreate(ApiModel):
    """Body of ``POST /api/v2/extract``: exactly one of configuration / configuration_id."""

    file_input: str
    configuration: Optional[ExtractConfiguration] = None
    configuration_id: Optional[str] = None
    organization_id: Optional[str] = None
    project_id: Optional[str] = None
    webhook_configurations: Optional[list[WebhookConfiguration]] = None
    webhook_configuration_ids: Optional[list[str]] = None


class ExtractV2Job(ApiModel):
    id: str
    created_at: datetime
    file_input: str
    project_id: str
    status: str
    updated_at: datetime
    configuration: Optional[ExtractConfiguration] = None
    configuration_id: Optional[str] = None
    error_message: Optional[str] = None
    extract_metadata: Optional[ExtractJobMetadata] = None
    extract_result: Optional[Union[dict[str, Any], list[dict[str, Any]]]] = None
    metadata: Optional[JobMetadata] = None


class ExtractJobList(ApiModel):
    items: list[ExtractV2Job] = Field(default_factory=list)
    next_page_token: Optional[str] = None
    total_size: Optional[int] = None


class SchemaValidationRequest(ApiModel):
    data_schema: dict[str, Any]


class SchemaValidationResponse(ApiModel):
    data_schema: dict[str, Any]


class SchemaGenerateRequest(ApiModel):
    prompt: Optional[str] = None
    file_id: Optional[str] = None
    data_schema: Optional[dict[str, Any]] = None
    name: Optional[str] = None


class ExtractV2Parameters(ApiModel):
    """Parameters of a saved ``extract_v2`` configuration: the configuration fields plus
    ``product_type``."""

    product_type: Literal["extract_v2"] = "extract_v2"
    data_schema: dict[str, Any]
    cite_sources: Optional[bool] = None
    confidence_scores: Optional[bool] = None
    extract_version: Optional[str] = None
    extraction_target: Optional[ExtractionTarget] = None
    max_pages: Optional[int] = None
    parse_config_id: Optional[str] = None
    parse_tier: Optional[str] = None
    system_prompt: Optional[str] = None
    target_pages: Optional[str] = None
    tier: Optional[str] = None


class SchemaGenerateResponse(ApiModel):
    name: str
    parameters: ExtractV2Parameters


# --- saved configurations ----------------------------------------------------------------------


class ConfigurationCreate(ApiModel):
    name: str
    parameters: ExtractV2Parameters


class ConfigurationUpdate(ApiModel):
    name: Optional[str] = None
    parameters: Optional[ExtractV2Parameters] = None


class ConfigurationResponse(ApiModel):
    id: str
    name: str
    parameters: ExtractV2Parameters
    product_type: str = "extract_v2"
    version: str
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None


class ConfigurationList(ApiModel):
    items: list[ConfigurationResponse] = Field(default_factory=list)
    next_page_token: Optional[str] = None
    total_size: Optional[int] = None


# --- files -------------------------------------------------------------------------------------


class PresignedUrl(ApiModel):
    url: str
    expires_at: Optional[datetime] = None


class File(ApiModel):
    id: str
    name: str
    project_id: str
    file_type: Optional[str] = None
    file_size: Optional[int] = None
    purpose: Optional[str] = None
    external_file_id: Optional[str] = None
    expires_at: Optional[datetime] = None
    created_at: Optional[datetime] = None
    last_modified_at: Optional[datetime] = None
    download_url: Optional[PresignedUrl] = None


class FileList(ApiModel):
    items: list[File] = Field(default_factory=list)
    next_page_token: Optional[str] = None
    total_size: Optional[int] = None


# --- parse jobs --------------------------------------------------------------------------------


class ParseJobCreate(ApiModel):
    file_id: str
    tier: Optional[str] = None
    version: Optional[str] = None


class ParseJob(ApiModel):
    id: str
    project_id: str
    status: str
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    error_message: Optional[str] = None
    tier: Optional[str] = None


class ParseJobList(ApiModel):
    items: list[ParseJob] = Field(default_factory=list)
    next_page_token: Optional[str] = None
    total_size: Optional[int] = None


class ParsePageText(ApiModel):
    page_number: int
    text: str


class ParsePageMarkdown(ApiModel):
    page_number: int
    markdown: str
    success: bool = True


class ParseText(ApiModel):
    pages: list[ParsePageText] = Field(default_factory=list)


class ParseMarkdown(ApiModel):
    pages: list[ParsePageMarkdown] = Field(default_factory=list)


class ParseJobResult(ApiModel):
    """``GET /api/v2/parse/{id}``: the job, plus the expanded content asked for."""

    job: ParseJob
    text: Optional[ParseText] = None
    markdown: Optional[ParseMarkdown] = None


# --- webhook deliveries and errors -------------------------------------------------------------


class WebhookPayload(ApiModel):
    event_id: str
    event_type: str
    timestamp: datetime
    data: dict[str, Any]


class ErrorBody(ApiModel):
    """Every error response: ``{"detail": ...}`` as the hosted API gives it."""

    detail: Any
