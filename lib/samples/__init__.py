"""Generated test and demo documents with known ground truth, and the schema templates they answer.

Public interface::

    from lib.samples import TEMPLATES, Template, Sample, make_sample, corpus, demo_samples, long_pdf, scanned_pages

Imports nothing of ours but ``lib.api`` (ARCHITECTURE.md); anyone may use it.
"""

from .generate import KINDS, make_sample
from .sample import FORMATS, Sample
from .templates import TEMPLATES, Template

__all__ = ["FORMATS", "KINDS", "Sample", "TEMPLATES", "Template", "make_sample"]
