"""Compiling a pack's XLSForm spreadsheets with pyxform into the XForms field apps download
(see `domain.forms`)."""

from __future__ import annotations

import re
from pathlib import Path

from ceasefire.domain.forms import IntakeForm

LANGUAGE_CODE = re.compile(r'<translation lang="[^"]*\((?P<code>[a-z]{2})\)"')
FORM_ID = re.compile(r'<data id="(?P<id>[^"]+)"(?: [^>]*version="(?P<version>[^"]+)")?')


class FormError(ValueError):
    """An XLSForm that does not compile, or does not say what the pack says it is."""


def compile_form(form: IntakeForm, root: Path) -> IntakeForm:
    """The form with its XForm, version and languages, compiled from its spreadsheet."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    path = root / form.file
    if not path.is_file():
        raise FormError(f"file {form.file} is missing")
    try:
        xform = convert(xlsform=str(path), validate=False, pretty_print=False).xform
    except (PyXFormError, ValueError, KeyError) as exc:
        raise FormError(f"does not compile: {exc}") from None
    found = FORM_ID.search(xform)
    if found is None or found["id"] != form.id:
        raise FormError(f"its form_id is {found['id'] if found else None!r}, not {form.id!r}")
    languages = sorted({m["code"] for m in LANGUAGE_CODE.finditer(xform)})
    return form.model_copy(
        update={"xform": xform, "version": found["version"] or "", "languages": languages}
    )
