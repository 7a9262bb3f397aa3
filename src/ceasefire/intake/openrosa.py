"""The OpenRosa 1.0 documents field apps exchange with a server: the form list
(`xformsList`), a form's media manifest, the response to a submission; and reading a
submission's XML instance into its form id, version, instanceID and field values.

Submissions are parsed with defusedxml: no entity expansion, no external entities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from ceasefire.domain.forms import IntakeForm

VERSION = "1.0"
HEADERS = {"X-OpenRosa-Version": VERSION}
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
"""What a field app may send in one submission request (X-OpenRosa-Accept-Content-Length)"""
MAX_INSTANCE_ID = 200


class SubmissionError(ValueError):
    """A submission whose XML cannot be read as an instance of a form."""


def form_list(forms: Iterable[IntakeForm], base_url: str) -> bytes:
    """The `xformsList` of the forms a user may fill in."""
    items = []
    for form in forms:
        title = _title(form.xform)
        items.append(
            "<xform>"
            f"<formID>{escape(form.id)}</formID>"
            f"<name>{escape(title)}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(base_url)}/forms/{escape(form.id)}/form.xml</downloadUrl>"
            f"<manifestUrl>{escape(base_url)}/forms/{escape(form.id)}/manifest</manifestUrl>"
            "</xform>"
        )
    body = '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def manifest() -> bytes:
    """A form's media manifest: the reference forms use no media files."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<manifest xmlns="http://openrosa.org/xforms/xformsManifest"></manifest>'
    )


def response(message: str, nature: str = "submit_success") -> bytes:
    """An `OpenRosaResponse` carrying one message for the field app to show."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="{escape(nature)}">{escape(message)}</message>'
        "</OpenRosaResponse>"
    ).encode()


@dataclass(frozen=True)
class Instance:
    """A submitted instance: which form, which version, its instanceID, its answers (by
    field name; a group's fields by their own names), and the files it names."""

    form_id: str
    version: str
    instance_id: str
    values: dict[str, str] = field(default_factory=dict)


def read_instance(xml: bytes) -> Instance:
    """The instance in a submission's `xml_submission_file`; SubmissionError says why not."""
    try:
        root = SafeTree.fromstring(xml)
    except (SafeTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise SubmissionError(f"the submission is not well-formed XML: {exc}") from None
    form_id = root.get("id")
    if not form_id:
        raise SubmissionError("the submission's root element has no form id")
    values: dict[str, str] = {}
    instance_id = ""
    for element in _leaves(root):
        name = _local(element.tag)
        text = (element.text or "").strip()
        if name == "instanceID":
            instance_id = text
        elif name not in values:
            values[name] = text
    if not instance_id:
        raise SubmissionError("the submission has no meta/instanceID")
    if len(instance_id) > MAX_INSTANCE_ID:
        raise SubmissionError(f"its instanceID is longer than {MAX_INSTANCE_ID} characters")
    return Instance(form_id, root.get("version") or "", instance_id, values)


def _leaves(element: Element) -> Iterable[Element]:
    children = list(element)
    if not children:
        yield element
    for child in children:
        yield from _leaves(child)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _title(xform: str) -> str:
    start = xform.find("<h:title>")
    end = xform.find("</h:title>")
    if start < 0 or end < 0:
        return ""
    return unescape(xform[start + len("<h:title>") : end])
