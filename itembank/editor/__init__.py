"""The structured item editor's form, free of HTTP: a native item shown as fields an author understands, and the
fields read back into a native item with the native format's own validation, errors by field."""

from itembank.editor.fields import form_from_fields
from itembank.editor.form import KINDS, EditorForm, blank_form, form_from_native
from itembank.editor.parse import Parsed, native_from_form

__all__ = ["KINDS", "EditorForm", "Parsed", "blank_form", "form_from_fields", "form_from_native", "native_from_form"]
