"""Item import/export formats. Every importer returns an ImportResult: items, media and problems."""

from itembank.formats.common import ImportedItem, ImportProblem, ImportResult
from itembank.formats.detect import detect_format, import_file

__all__ = ["ImportProblem", "ImportResult", "ImportedItem", "detect_format", "import_file"]
