"""Generated test and demo documents with known ground truth, and the schema templates they answer.

Public interface::

    from lib.samples import (TEMPLATES, Template, Sample, make_sample, corpus, demo_samples,
                             long_pdf, scanned_pages, KINDS, FORMATS, kind_options)

    make_sample("invoice", fmt="pdf", layout=0, seed=0, items=12)      # -> Sample
    make_sample("bank_statement", rows=150)                             # several pages, header repeated
    corpus(200, seed=0, fmts=("pdf", "docx"))                           # varied kinds/layouts/formats
    demo_samples()                                                      # the app's "Try a sample" set
    long_pdf(pages=200); scanned_pages(n=10)                            # speed benchmark inputs

Kinds: invoice, receipt, bank_statement, form, report, purchase_order, id_card, contract,
resume. Formats: pdf (born-digital), scanned_pdf / png / jpeg / tiff (rasterised at 150 dpi,
tilted, speckled; no text layer), docx, xlsx, csv, html, txt, md. Each kind is a content
builder (``kinds/``) and each format a renderer (``render/``) of that one content, so every
format carries the same truth. ``python -m lib.samples OUTDIR --n N`` writes a corpus with
its ground truth JSON.

Imports nothing of ours but ``lib.api`` (ARCHITECTURE.md); anyone may use it.
"""

from .generate import KINDS, corpus, demo_samples, kind_options, long_pdf, make_sample, scanned_pages
from .sample import FORMATS, MIME_TYPES, Sample
from .templates import TEMPLATES, Template

__all__ = ["FORMATS", "KINDS", "MIME_TYPES", "Sample", "TEMPLATES", "Template", "corpus", "demo_samples",
           "kind_options", "long_pdf", "make_sample", "scanned_pages"]
