"""Validation of uploaded files: images by their decoded content (not their name), source bundles as zips.

Limits come from settings (documented in docs/marketplace/publisher-guide.md):
MARKETPLACE_LOGO_MAX_BYTES (1 MB), MARKETPLACE_SCREENSHOT_MAX_BYTES (4 MB), MARKETPLACE_BUNDLE_MAX_BYTES (20 MB).
"""

import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from marketplace.exceptions import ValidationError

IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
# Pillow refuses to decode more pixels than this (decompression bombs).
Image.MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class ImageRule:
    field: str
    max_bytes_setting: str
    max_bytes_default: int
    min_size: tuple[int, int]
    max_size: tuple[int, int]
    square: bool = False


LOGO = ImageRule("logo", "MARKETPLACE_LOGO_MAX_BYTES", 1_048_576, (128, 128), (1024, 1024), square=True)
SCREENSHOT = ImageRule("image", "MARKETPLACE_SCREENSHOT_MAX_BYTES", 4_194_304, (640, 360), (3840, 2160))


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{n // 1024} KB"


def validate_image(upload: Any, rule: ImageRule) -> tuple[int, int]:
    """Check size, real format and dimensions; return (width, height). Raises ValidationError on `rule.field`."""
    max_bytes = getattr(settings, rule.max_bytes_setting, rule.max_bytes_default)
    if upload.size > max_bytes:
        raise ValidationError(f"The image is larger than {_mb(max_bytes)}.", field=rule.field)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "The file is not a readable PNG, JPEG or WebP image.", field=rule.field
        ) from exc
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(f"Upload a PNG, JPEG or WebP image, not {image_format}.", field=rule.field)
    (min_w, min_h), (max_w, max_h) = rule.min_size, rule.max_size
    if width < min_w or height < min_h or width > max_w or height > max_h:
        raise ValidationError(
            f"The image is {width}×{height} px; it must be between {min_w}×{min_h} and {max_w}×{max_h} px.",
            field=rule.field,
        )
    if rule.square and width != height:
        raise ValidationError(f"The logo must be square; it is {width}×{height} px.", field=rule.field)
    return width, height


def validate_bundle(upload: Any) -> None:
    """A source bundle is a zip under MARKETPLACE_BUNDLE_MAX_BYTES with safe member names."""
    max_bytes = getattr(settings, "MARKETPLACE_BUNDLE_MAX_BYTES", 20 * 1_048_576)
    if upload.size > max_bytes:
        raise ValidationError(f"The bundle is larger than {_mb(max_bytes)}.", field="source_bundle")
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError("The source bundle must be a zip file.", field="source_bundle") from exc
    finally:
        upload.seek(0)
    if not names:
        raise ValidationError("The zip file is empty.", field="source_bundle")
    if any(name.startswith("/") or ".." in name.split("/") for name in names):
        raise ValidationError("The zip contains unsafe paths (absolute or '..').", field="source_bundle")
    if total > 10 * max_bytes:
        raise ValidationError("The zip expands to too much data.", field="source_bundle")
