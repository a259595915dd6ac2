"""What a file name and a sniffed type say about risk: executables, scripts, shortcuts, images."""

from __future__ import annotations

import enum


def _words(text: str) -> list[str]:
    return text.split()


# Windows blocks most of these in mail by default; legitimate contact-center mail never
# needs them. Lists follow Outlook's "Level 1" blocked types and Gmail's blocked types.
EXECUTABLE_EXTS = frozenset(
    _words(
        "exe scr com pif cpl msi msp mst dll sys drv ocx jar apk app appx appxbundle msix "
        "msixbundle xll xbap gadget ade adp mde accde cab elf run deb rpm dmg pkg"
    )
)
SCRIPT_EXTS = frozenset(
    _words(
        "js jse vbs vbe vb wsf wsh wsc ws hta ps1 ps1xml ps2 psc1 psm1 psd1 bat cmd sh ksh "
        "csh reg scf inf msc mshta jnlp vba sct iqy slk pyw chm"
    )
)
SHORTCUT_EXTS = frozenset(_words("lnk url website appref-ms desktop library-ms settingcontent-ms"))
DISK_IMAGE_EXTS = frozenset(_words("iso img vhd vhdx udf vmdk"))
# Extensions a victim reads as harmless; a risky extension after one is a double extension.
DOCUMENT_EXTS = frozenset(
    _words(
        "pdf doc docx xls xlsx ppt pptx txt rtf csv jpg jpeg png gif bmp tif tiff mp3 mp4 wav "
        "avi mov html htm odt ods zip"
    )
)

EXECUTABLE_TYPES = frozenset(
    {
        "application/x-dosexec",
        "application/x-executable",
        "application/x-mach-binary",
        "application/java-archive",
        "application/vnd.android.package-archive",
        "application/vnd.symbian.install",
    }
)
DISK_IMAGE_TYPES = frozenset({"application/x-iso9660-image", "application/x-vhd"})


class Family(enum.StrEnum):
    """A coarse kind of content, to compare what a name promises with what the bytes are."""

    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"
    OFFICE = "office"
    ARCHIVE = "archive"
    MEDIA = "media"


_EXT_FAMILY: dict[str, Family] = {
    **dict.fromkeys(_words("jpg jpeg png gif bmp tif tiff webp ico heic"), Family.IMAGE),
    "pdf": Family.PDF,
    **dict.fromkeys(_words("txt csv log ics vcf json"), Family.TEXT),
    **dict.fromkeys(
        _words(
            "doc dot docx docm dotx dotm xls xlt xla xlsx xlsm xlsb xltx xltm xlam ppt pot pps "
            "pptx pptm potx potm ppsx ppsm odt ods odp rtf xps"
        ),
        Family.OFFICE,
    ),
    **dict.fromkeys(_words("zip gz tgz tar 7z bz2 xz rar"), Family.ARCHIVE),
    **dict.fromkeys(_words("mp3 mp4 wav avi mov m4a ogg webm"), Family.MEDIA),
}

# Sniffed types that can carry or run code; only these make a mismatch worth a signal
# (PDF is left out: the pdf detector judges what a PDF carries, whatever its name).
ACTIVE_TYPES = (
    EXECUTABLE_TYPES
    | DISK_IMAGE_TYPES
    | {
        "application/x-ole-storage",
        "application/vnd.openxmlformats-officedocument",
        "application/vnd.oasis.opendocument",
        "application/zip",
        "application/vnd.rar",
        "application/x-7z-compressed",
        "application/x-ms-shortcut",
        "application/onenote",
        "application/vnd.ms-htmlhelp",
        "text/html",
        "text/rtf",
        "text/x-shellscript",
    }
)
# For each family, the active types a file of that family legitimately has.
_FAMILY_ALLOWS: dict[Family, frozenset[str]] = {
    Family.IMAGE: frozenset(),
    Family.PDF: frozenset({"application/pdf"}),
    Family.TEXT: frozenset({"text/html"}),
    Family.OFFICE: frozenset(
        {
            "application/x-ole-storage",
            "application/vnd.openxmlformats-officedocument",
            "application/vnd.oasis.opendocument",
            "application/zip",
            "text/rtf",
            "text/html",
        }
    ),
    Family.ARCHIVE: frozenset(
        {"application/zip", "application/vnd.rar", "application/x-7z-compressed"}
    ),
    Family.MEDIA: frozenset(),
}
RLO = "\u202e"  # right-to-left override: "invoice\u202efdp.exe" shows as "invoiceexe.pdf"


def extensions(name: str) -> list[str]:
    """Lower-case extensions of a file name, last one last ('a.pdf.exe' -> ['pdf', 'exe'])."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".").lower()
    return [p.strip() for p in base.split(".")[1:]][-3:]


def family_of_name(name: str) -> Family | None:
    exts = extensions(name)
    return _EXT_FAMILY.get(exts[-1]) if exts else None


def family_of_declared(declared: str) -> Family | None:
    if declared.startswith("image/"):
        return Family.IMAGE
    if declared == "application/pdf":
        return Family.PDF
    if declared in ("text/plain", "text/csv", "text/calendar"):
        return Family.TEXT
    return None


def mismatch(name: str, declared: str, sniffed: str) -> Family | None:
    """The family a name or Content-Type promises when the bytes are an active type outside it."""
    if sniffed not in ACTIVE_TYPES:
        return None
    family = family_of_name(name) or family_of_declared(declared)
    if family is None or sniffed in _FAMILY_ALLOWS[family]:
        return None
    return family
