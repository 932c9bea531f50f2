"""The annual review pack: composer, renderers (HTML, PDF, XLSX) and frozen versions.

Core: imports no app. The sections come from ``settings.REVIEW_SECTIONS`` (dotted paths of each
app's ``review.section``), like the digest and the dashboard.
"""
