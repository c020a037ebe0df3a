"""Generated test and demo documents with known ground truth, and the schema templates they answer.

Public interface::

    from lib.samples import TEMPLATES, Template, Sample, make_sample, corpus, demo_samples, long_pdf, scanned_pages

Imports nothing of ours but ``lib.api`` (ARCHITECTURE.md); anyone may use it.
"""

from .generate import KINDS, corpus, demo_samples, kind_options, long_pdf, make_sample, scanned_pages
from .sample import FORMATS, MIME_TYPES, Sample
from .templates import TEMPLATES, Template

__all__ = ["FORMATS", "KINDS", "MIME_TYPES", "Sample", "TEMPLATES", "Template", "corpus", "demo_samples",
           "kind_options", "long_pdf", "make_sample", "scanned_pages"]
