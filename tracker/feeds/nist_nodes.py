"""Reading a NIST SP 1500-100 v2 report, XML or JSON, into one node interface.

The standard's XML and JSON forms say the same things in two shapes; ``_root`` sniffs the form,
decodes it (hardened XML: no entities, network or DTD; a declared encoding Python knows under
another spelling is decoded here) and hands back a ``_Node`` the mapping to our model
(:mod:`tracker.feeds.nist_contest`, :mod:`tracker.feeds.nist`) asks its few questions of,
never knowing which form it reads.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from lxml import etree

from tracker.core.errors import FeedError
from tracker.feeds._json_checks import Odd as _Odd

NS = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_WHAT = "NIST election results"


# -- one node interface over both forms ----------------------------------------------------------


class _Node:
    """An element of the report, XML or JSON, with the few questions the reader asks of it."""

    def kind(self) -> str:  # the xsi:type / @type without its prefix
        raise NotImplementedError

    def oid(self) -> str:
        raise NotImplementedError

    def text(self, name: str) -> str | None:
        raise NotImplementedError

    def children(self, *names: str) -> list[_Node]:
        raise NotImplementedError

    def ids(self, name: str) -> list[str]:
        raise NotImplementedError

    def intl(self, name: str) -> str | None:
        """An InternationalizedText child's text (English first), or a plain string child."""
        raise NotImplementedError


class _X(_Node):
    __slots__ = ("_kids", "el")

    def __init__(self, el: etree._Element) -> None:
        self.el = el
        self._kids: dict[str, list[etree._Element]] | None = None

    def _all(self, name: str) -> list[etree._Element]:
        """Children named ``name`` (in NIST's namespace), from one pass over the children: a
        ``find`` per question was most of the time spent on a large report."""
        if self._kids is None:
            kids: dict[str, list[etree._Element]] = {}
            prefix = f"{{{NS}}}"
            for child in self.el:
                tag = child.tag
                if isinstance(tag, str) and tag.startswith(prefix):
                    kids.setdefault(tag[len(prefix) :], []).append(child)
            self._kids = kids
        return self._kids.get(name, [])

    def kind(self) -> str:
        return (self.el.get(XSI_TYPE) or "").rsplit(":", 1)[-1]

    def oid(self) -> str:
        return (self.el.get("ObjectId") or "").strip()

    def _first(self, name: str) -> etree._Element | None:
        found = self._all(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        el = self._first(name)
        return None if el is None else (el.text or "")

    def children(self, *names: str) -> list[_Node]:
        return [_X(e) for name in names for e in self._all(name)]

    def ids(self, name: str) -> list[str]:
        return [t for e in self._all(name) for t in (e.text or "").split()]

    def intl(self, name: str) -> str | None:
        el = self._first(name)
        if el is None:
            return None
        texts = list(el.iterfind(f"{{{NS}}}Text"))
        if not texts:
            return el.text or ""
        english = [t for t in texts if (t.get("Language") or "").lower().startswith("en")]
        return ((english or texts)[0].text) or ""


class _J(_Node):
    __slots__ = ("d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d

    def kind(self) -> str:
        value = self.d.get("@type")
        return value.rsplit(".", 1)[-1] if isinstance(value, str) else ""

    def oid(self) -> str:
        value = self.d.get("@id")
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str) -> str | None:
        value = self.d.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float, str)):
            return str(value)
        raise _Odd(f"{name} is not a value")

    def children(self, *names: str) -> list[_Node]:
        out: list[_Node] = []
        for name in names:
            value = self.d.get(name)
            items = value if isinstance(value, list) else ([] if value is None else [value])
            for item in items:
                if not isinstance(item, dict):
                    raise _Odd(f"{name} holds something other than objects")
                out.append(_J(item))
        return out

    def ids(self, name: str) -> list[str]:
        value = self.d.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value]
        raise _Odd(f"{name} is not a list of ids")

    def intl(self, name: str) -> str | None:
        value = self.d.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            raise _Odd(f"{name} is not text")
        texts = value.get("Text")
        if not isinstance(texts, list) or not texts:
            return ""
        good = [t for t in texts if isinstance(t, dict) and isinstance(t.get("Content"), str)]
        english = [t for t in good if str(t.get("Language", "")).lower().startswith("en")]
        return (english or good)[0]["Content"] if good else ""


# -- decoding ------------------------------------------------------------------------------------

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([^\"']*)\2", re.I)


def _hardened_parser() -> etree.XMLParser:
    """No entity expansion, network or DTD; libxml2's size limits (see ``clarity_stream``)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )


#: Declared encodings libxml2 reads as written; any other spelling Python knows (``utf_8``,
#: ``UTF8``, ``cp1252``) is decoded here and handed on as UTF-8.
_LIBXML_ENCODINGS = {"utf-8", "iso-8859-1", "us-ascii", "ascii", "utf-16", "latin1", "iso-latin-1"}


def _xml_root(data: bytes, notes: list[str]) -> etree._Element:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    m = _XML_DECL.match(body)
    if m is not None:
        declared = m.group(3).decode("ascii", "replace").strip()
        if declared.lower() not in _LIBXML_ENCODINGS:
            try:
                codec = codecs.lookup(declared).name
            except LookupError:
                raise FeedError(
                    f"{_WHAT}: the file declares a text encoding nobody knows ({declared[:30]!r})"
                ) from None
            if codec.startswith("utf-16") or codec.startswith("utf-32"):
                raise FeedError(f"{_WHAT}: the file declares {declared[:30]!r}; expected UTF-8")
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                raise FeedError(
                    f"{_WHAT}: the file says its encoding is {declared[:30]!r} but it is not "
                    f"({exc.reason} at byte {exc.start})"
                ) from None
            body = _XML_DECL.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)
            notes.append(f"the file declares its encoding as {declared[:30]!r}; read as {codec.upper()}")
    try:
        return etree.fromstring(body, parser=_hardened_parser())
    except etree.XMLSyntaxError as exc:
        msg = " ".join(str(exc).split())[:160]
        raise FeedError(f"{_WHAT}: not well-formed XML ({msg})") from None
    except ValueError as exc:
        raise FeedError(f"{_WHAT}: not readable XML ({str(exc)[:120]})") from None


def _root(data: bytes, notes: list[str]) -> tuple[_Node, str]:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        try:
            doc = json.loads(data)
        except RecursionError:
            raise FeedError(f"{_WHAT}: the document is nested too deeply") from None
        except UnicodeDecodeError as exc:
            raise FeedError(f"{_WHAT}: not valid UTF-8 text ({exc.reason})") from None
        except ValueError as exc:
            raise FeedError(f"{_WHAT}: not valid JSON ({str(exc)[:120]})") from None
        if not isinstance(doc, dict):
            raise FeedError(f"{_WHAT}: the document is not an object")
        return _J(doc), "json"
    root = _xml_root(data, notes)
    if etree.QName(root).localname != "ElectionReport":
        raise FeedError(f"{_WHAT}: the root element is {etree.QName(root).localname!r}, not ElectionReport")
    if etree.QName(root).namespace != NS:
        where = str(etree.QName(root).namespace)[:80]
        raise FeedError(f"{_WHAT}: the ElectionReport is not in NIST's v2 namespace ({where!r})")
    return _X(root), "xml"


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())
