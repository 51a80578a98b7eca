"""Image files, with Pillow: what an upload must be to be kept, and the renditions
made from it (docs/images.md). No models: the library's rows are content
(``content.models.images``); this package only reads and writes bytes.

Pillow is used directly rather than easy-thumbnails or django-imagekit: both make
renditions on first request or on access in the web process, one size at a time,
while here the worker makes a fixed set (``IMAGE_WIDTHS`` × WebP and the original
format × ``IMAGE_CROP_RATIOS``) once, after upload, and the API lists what exists.
Neither validates uploads beyond what Pillow's ``verify`` does, and both would add
a cache table and a naming scheme of their own for what is one loop over Pillow.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePath

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError, features

# Pillow's format name → (our format key, media type, file extension).
FORMATS = {
    "JPEG": ("jpeg", "image/jpeg", ".jpg"),
    "PNG": ("png", "image/png", ".png"),
    "WEBP": ("webp", "image/webp", ".webp"),
    "AVIF": ("avif", "image/avif", ".avif"),
}
# A file name's extension → the Pillow format it must hold.
EXTENSIONS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".avif": "AVIF",
}
# How each format is written: quality where lossy; no metadata is ever passed
# (EXIF, XMP, text chunks), so none is written. The ICC colour profile is kept: it
# says how to show the colours and names no person, place or device.
SAVE_OPTIONS = {
    "JPEG": {"quality": 88, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85, "method": 4},
    "AVIF": {"quality": 70},
}
# The longest side of the placeholder (next/image's blurDataURL: 10 px or less).
PLACEHOLDER_SIZE = 10


def readable_formats() -> list[str]:
    """The formats accepted here: JPEG and PNG always, WebP and AVIF where this
    Pillow was built with them."""
    formats = ["JPEG", "PNG"]
    for name, feature in (("WEBP", "webp"), ("AVIF", "avif")):
        if features.check(feature):
            formats.append(name)
    return formats


def format_names() -> str:
    """The accepted formats as editors know them: "JPEG, PNG, WebP, AVIF"."""
    names = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "AVIF": "AVIF"}
    return ", ".join(names[f] for f in readable_formats())


class Refused(ValueError):
    """An upload that is not kept, with the reason an editor reads."""


@dataclass(frozen=True)
class Decoded:
    """An accepted upload, decoded and written again."""

    content: bytes
    format: str  # Pillow's name: JPEG, PNG, WEBP, AVIF
    width: int
    height: int
    color: str  # the average colour, #rrggbb
    placeholder: str  # a data: URL of a tiny version

    @property
    def key(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][2]


def megabytes(size: int) -> str:
    """``size`` in millions, as short as it is exact to three digits: 15, 0.001."""
    return f"{size / 1_000_000:.3g}"


def decode(
    data: bytes | io.IOBase, *, name: str, max_bytes: int, max_pixels: int
) -> Decoded:
    """The upload ``data`` (named ``name`` by the editor's computer) decoded
    whole and written again, or ``Refused`` naming the problem.

    - The name's extension must be an accepted format's, and the bytes must be
      that format (a PNG named .jpg, a script named .png: refused). SVG is never
      accepted: it is a document that can carry scripts and links, not pixels.
    - At most ``max_bytes``; at most ``max_pixels`` pixels, read from the header
      before anything is decoded (a decompression bomb is refused undecoded).
    - The whole image is decoded (a truncated or damaged file is refused), turned
      upright by its EXIF orientation, and encoded again with no metadata: GPS
      position, camera, dates, names and anything appended to the file (a polyglot's
      second half) are not in what is kept.
    """
    extension = PurePath(name).suffix.lower()
    if extension in (".svg", ".svgz") or "svg" in name.lower().rsplit(".", 1)[-1]:
        raise Refused(
            _(
                "SVG files are not accepted: they can carry scripts. Upload the "
                "picture as %(formats)s."
            )
            % {"formats": format_names()}
        )
    expected = EXTENSIONS.get(extension)
    if expected is None or expected not in readable_formats():
        raise Refused(
            _("Only %(formats)s files are accepted; this file is named “%(name)s”.")
            % {"formats": format_names(), "name": PurePath(name).name}
        )
    if not isinstance(data, bytes):
        data = data.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(
            _("The file is larger than %(limit)s MB.") % {"limit": megabytes(max_bytes)}
        )
    with warnings.catch_warnings():
        # Pillow warns past Image.MAX_IMAGE_PIXELS and refuses past twice that;
        # our own limit below is checked first, but a warning must never pass.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=readable_formats())
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused(too_many_pixels(max_pixels)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise Refused(
                _(
                    "This file is not a %(formats)s image, or it is damaged: it "
                    "could not be read."
                )
                % {"formats": format_names()}
            ) from None
        with image:
            if image.format != expected:
                raise Refused(
                    _(
                        "The file is named %(extension)s but holds a %(format)s "
                        "image. Save it again with the right extension."
                    )
                    % {
                        "extension": extension,
                        "format": FORMATS[image.format][0].upper(),
                    }
                )
            width, height = image.size
            if width * height > max_pixels:
                raise Refused(too_many_pixels(max_pixels))
            try:
                image.load()
                image = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise Refused(too_many_pixels(max_pixels)) from None
            except (OSError, SyntaxError, ValueError):
                raise Refused(
                    _("This image is damaged or incomplete: it could not be read.")
                ) from None
            icc = image.info.get("icc_profile")
            image = writable(image, expected)
            content = encode(image, expected, icc_profile=icc)
            return Decoded(
                content=content,
                format=expected,
                width=image.width,
                height=image.height,
                color=average_color(image),
                placeholder=placeholder(image),
            )


def too_many_pixels(max_pixels: int) -> str:
    return _(
        "The image has more than %(limit)s megapixels. Make it smaller and upload "
        "it again."
    ) % {"limit": megabytes(max_pixels)}


def writable(image: Image.Image, fmt: str) -> Image.Image:
    """``image`` in a mode ``fmt`` writes: RGB for JPEG (CMYK and the rest
    converted), RGB or RGBA for the others (palettes, 16-bit and grey with alpha
    widened), keeping transparency where the format has it."""
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    has_alpha = image.mode in ("LA", "PA", "RGBa", "La") or (
        "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def encode(image: Image.Image, fmt: str, *, icc_profile: bytes | None = None) -> bytes:
    out = io.BytesIO()
    options = dict(SAVE_OPTIONS[fmt])
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(out, format=fmt, **options)
    return out.getvalue()


def average_color(image: Image.Image) -> str:
    """The image's average colour as #rrggbb (a placeholder background)."""
    pixel = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return "#{:02x}{:02x}{:02x}".format(*pixel)


def placeholder(image: Image.Image) -> str:
    """A data: URL of the image at most ``PLACEHOLDER_SIZE`` pixels wide or high
    (WebP where available, else PNG): next/image's ``blurDataURL``."""
    small = image.copy()
    small.thumbnail((PLACEHOLDER_SIZE, PLACEHOLDER_SIZE), Image.Resampling.BOX)
    fmt = "WEBP" if "WEBP" in readable_formats() else "PNG"
    small = writable(small, fmt)
    data = encode(small, fmt)
    media_type = FORMATS[fmt][1]
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


# Renditions.


def parse_ratio(ratio: str) -> Fraction:
    """ "16:9" → 16/9. Raises ValueError for anything else."""
    width, _sep, height = ratio.partition(":")
    value = Fraction(width) / Fraction(height)
    if value <= 0:
        raise ValueError(ratio)
    return value


def crop_box(
    width: int, height: int, ratio: Fraction, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of aspect ``ratio`` inside a ``width`` × ``height`` image,
    centred on the focal point (fractions of the width and height) as far as the
    edges allow."""
    if Fraction(width, height) > ratio:
        box_h = height
        box_w = max(1, min(width, round(height * ratio)))
    else:
        box_w = width
        box_h = max(1, min(height, round(width / ratio)))
    fx, fy = focal
    left = min(max(round(fx * width - box_w / 2), 0), width - box_w)
    top = min(max(round(fy * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


@dataclass(frozen=True)
class Spec:
    """One rendition: a width, a format, and a crop (a ratio) or none."""

    width: int
    format: str  # Pillow's name
    ratio: str = ""


def specs(
    width: int,
    height: int,
    fmt: str,
    *,
    widths: list[int],
    ratios: list[str],
    focal: tuple[float, float],
) -> list[Spec]:
    """The renditions of an image of ``width`` × ``height`` in ``fmt``: each of
    ``widths`` up to the image's (or its crop's) own width, and that width itself
    when it is smaller than the largest asked for; in WebP and in the original
    format (once when the original is WebP); uncropped, then for each ratio."""
    formats = list(dict.fromkeys(["WEBP", fmt]))
    if "WEBP" not in readable_formats():
        formats = [fmt]
    result = []
    for ratio in ["", *ratios]:
        if ratio:
            left, top, right, bottom = crop_box(
                width, height, parse_ratio(ratio), focal
            )
            available = right - left
        else:
            available = width
        sizes = sorted({w for w in widths if w <= available})
        if available < max(widths):
            sizes.append(available)
        for size in dict.fromkeys(sizes):
            for f in formats:
                result.append(Spec(size, f, ratio))
    return result


def render(
    original: bytes, spec: Spec, focal: tuple[float, float]
) -> tuple[bytes, int, int]:
    """The rendition ``spec`` of ``original`` (bytes this package wrote):
    cropped around ``focal`` for a ratio, scaled to the width. Its bytes, width
    and height."""
    with Image.open(io.BytesIO(original)) as image:
        image.load()
        icc = image.info.get("icc_profile")
        if spec.ratio:
            image = image.crop(
                crop_box(image.width, image.height, parse_ratio(spec.ratio), focal)
            )
        if image.width != spec.width:
            height = max(1, round(image.height * spec.width / image.width))
            image = image.resize((spec.width, height), Image.Resampling.LANCZOS)
        image = writable(image, spec.format)
        return encode(image, spec.format, icc_profile=icc), image.width, image.height
