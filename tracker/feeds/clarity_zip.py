"""Clarity's ``reports/detailxml.zip`` → the ``detail.xml`` inside it → Snapshot.

Clarity serves every version's detail XML zipped (GA's 5 Jan 2021 runoff: 29.6 KB holding a
300.6 KB ``detail.xml``). A zip from the network is untrusted input, so it is read in memory and
defensively:

- nothing is extracted to disk and no path inside the archive is ever used as a path: the
  member is *chosen* by its name (``detail.xml``, case-insensitive, with any folder prefix or
  backslashes ignored only for the comparison), never opened by it;
- an archive with a member name no honest server writes — one that climbs out of its folder
  (``..``), is absolute (``/``, ``C:``), holds a NUL — or with a symbolic link is refused as a
  whole: it was built to attack whatever unpacks it, and its data is not to be trusted either;
- exactly one such member, or FeedError (none, or two that would make us guess). An archive
  without a ``detail.xml`` but with exactly one ``.xml`` member (a county or a scraper that zipped
  the file under another name: ``Detail_GA_2021.xml``) is read through that member: its content,
  not its name, then decides whether it is Clarity's;
- at most ``MAX_MEMBERS`` entries, a member no larger than ``MAX_MEMBER_BYTES`` uncompressed, all
  declared sizes together no larger than ``MAX_TOTAL_BYTES``, and no member whose declared size
  is more than ``MAX_RATIO`` times its compressed size (a zip bomb): all checked on the central
  directory *before* inflating anything;
- the declared size can lie, so the member is inflated in chunks and the count is enforced on
  what actually comes out (and the ratio again against the compressed size);
- encrypted members, unknown compression methods, CRC errors and truncated archives are
  FeedErrors.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

from tracker.core.errors import FeedError
from tracker.core.model import Snapshot
from tracker.feeds.clarity import parse_detail_xml

__all__ = [
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "member_names",
    "parse_detail_zip",
    "read_detail_zip",
    "read_one_member",
]

#: The member Clarity puts in detailxml.zip.
MEMBER_NAME = "detail.xml"
#: A statewide general election's detail.xml is tens of MB; 256 MB leaves room without letting a
#: hostile archive exhaust memory.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Real detail XML deflates about 10–20× (GA runoff: 10.2×); 200× is far beyond any real file and
#: far below a zip bomb (~1000× and more).
MAX_RATIO = 200
MAX_MEMBERS = 64
_CHUNK = 1 << 20


_S_IFMT, _S_IFLNK = 0o170000, 0o120000


def _hostile(info: zipfile.ZipInfo) -> str | None:
    """Why a member makes the archive hostile, or None."""
    name = info.orig_filename  # as in the archive: ``filename`` is already cut at a NUL
    parts = name.replace("\\", "/").split("/")
    if "\x00" in name:
        return "a NUL in a member name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"an absolute member path {name[:80]!r}"
    if ".." in parts:
        return f"a member path that climbs out of the archive {name[:80]!r}"
    if info.create_system == 3 and (info.external_attr >> 16) & _S_IFMT == _S_IFLNK:
        return f"a symbolic link {name[:80]!r}"
    return None


def _is_member(name: str) -> bool:
    return name.replace("\\", "/").rsplit("/", 1)[-1].casefold() == MEMBER_NAME


def read_detail_zip(
    data: bytes,
    *,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: float = MAX_RATIO,
) -> bytes:
    """The bytes of the one ``detail.xml`` in a Clarity ``detailxml.zip`` (or of its one ``.xml``
    member under another name), read in memory within the limits above. Raises FeedError for
    anything else."""
    names = member_names(data)
    is_member = _is_member
    if names and not any(_is_member(n) for n in names):
        xml = [n for n in names if n.replace("\\", "/").rsplit("/", 1)[-1].casefold().endswith(".xml")]
        if len(xml) == 1:
            (only,) = xml

            def is_member(name: str) -> bool:  # compared with the listed name, never used as a path
                return name == only

    return read_one_member(
        data,
        is_member=is_member,
        archive="Clarity detailxml.zip",
        member=MEMBER_NAME,
        max_member_bytes=max_member_bytes,
        max_total_bytes=max_total_bytes,
        max_ratio=max_ratio,
    )


def member_names(data: bytes) -> tuple[str, ...]:
    """The member names of a zip payload, from its central directory (nothing inflated), or ()
    when it is no readable zip: how the registry tells a Clarity zip from North Carolina's. The
    names are only compared, never used as paths."""
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return ()
            return tuple(i.filename for i in infos if not i.is_dir())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return ()


def read_one_member(
    data: bytes,
    *,
    is_member: Callable[[str], bool],
    archive: str,
    member: str,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: float = MAX_RATIO,
) -> bytes:
    """The bytes of the one member ``is_member`` picks in the zip ``data`` (``archive`` and
    ``member`` name them in messages), read in memory within the limits above: bounded inflation,
    exactly one such member, no hostile entry, and the name never used as a path. Raises
    FeedError, one sentence, for anything else."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise FeedError(f"{archive} must be bytes, not {type(data).__name__}")
    if not data.startswith(b"PK"):
        if data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<!doctype html", b"<html")):
            raise FeedError(
                f"this is an HTML page from the server (Clarity answers a version that is not there "
                f"yet with its 404 page), not {archive}; poll current_ver.txt and try again"
                if archive.startswith("Clarity")
                else f"this is an HTML page from the server, not {archive}"
            )
        shown = "Clarity's detailxml.zip" if archive == "Clarity detailxml.zip" else archive
        raise FeedError(f"not a zip archive ({shown} starts with 'PK')")
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise FeedError(f"{archive} is not a readable zip archive ({exc})") from None
    except NotImplementedError as exc:  # a central directory that asks for a zip version > 6.3
        raise FeedError(f"{archive} needs a zip feature we cannot read ({exc})") from None
    with zipped:
        infos = zipped.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FeedError(f"{archive} has {len(infos)} entries; expected one {member}")
        if sum(i.file_size for i in infos) > max_total_bytes:
            raise FeedError(f"{archive} declares over {max_total_bytes:,} bytes uncompressed; refusing it")
        for info in infos:
            why = _hostile(info)
            if why is not None:
                raise FeedError(f"{archive} holds {why}; refusing the archive")
        members = [i for i in infos if is_member(i.filename) and not i.is_dir()]
        if not members:
            raise FeedError(f"{archive} holds no {member}")
        if len(members) > 1:
            raise FeedError(f"{archive} holds more than one {member}; refusing to guess")
        (info,) = members
        if info.flag_bits & 0x1:
            raise FeedError(f"{archive} is encrypted")
        if info.file_size > max_member_bytes:
            raise FeedError(
                f"{member} in {archive} is {info.file_size:,} bytes, over the {max_member_bytes:,}-byte limit"
            )
        compressed = max(info.compress_size, 1)
        if info.file_size > max_ratio * compressed:
            raise FeedError(
                f"{member} in {archive} would inflate {info.file_size / compressed:,.0f}× "
                "(a zip bomb?); refusing it"
            )
        limit = min(max_member_bytes, int(max_ratio * compressed))
        out = bytearray()
        try:
            with zipped.open(info) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > limit:
                        raise FeedError(
                            f"{member} in {archive} inflates beyond what its header "
                            "declares and the size limits allow; refusing it"
                        )
        except FeedError:
            raise
        except NotImplementedError as exc:
            raise FeedError(f"{archive} uses a compression method we cannot read ({exc})") from None
        except RuntimeError as exc:  # zipfile: encrypted member without a password
            raise FeedError(f"{archive} cannot be read ({exc})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise FeedError(f"{archive} is damaged or truncated ({exc})") from None
        return bytes(out)


def parse_detail_zip(data: bytes, *, source: str = "") -> Snapshot:
    """Parse a Clarity ``reports/detailxml.zip`` payload: its ``detail.xml``, read safely (see
    the module docstring), through ``tracker.feeds.clarity.parse_detail_xml``."""
    return parse_detail_xml(read_detail_zip(data), source=source)
