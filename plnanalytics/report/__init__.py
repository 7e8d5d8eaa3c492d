"""Reports: the self-contained HTML/PDF network report, figures and researcher exports."""

from .html import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
