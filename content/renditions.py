"""Library images: storing an accepted upload, and the renditions the worker makes
of it (docs/images.md)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tasks import task

from content.models.images import Image, Rendition, file_name, focal_key, new_key
from images import Decoded, Spec, render, specs
from publication.content_version import content_changed

logger = logging.getLogger("clinic.images")


def store(image: Image, decoded: Decoded, *, key: str | None = None) -> None:
    """Give ``image`` the accepted upload ``decoded``: its file under a name made
    here (from ``key``, else a new random one), and the facts read from it. The
    file is written when the image is saved."""
    image.file = ContentFile(
        decoded.content, name=file_name(key or new_key(), decoded.extension)
    )
    image.width, image.height = decoded.width, decoded.height
    image.format = decoded.key
    image.color = decoded.color
    image.placeholder = decoded.placeholder


@receiver(post_save, sender=Image, dispatch_uid="content_image_renditions")
def image_saved(sender, instance: Image, raw=False, **kwargs) -> None:
    """A new image, or a new focal point: the worker makes its renditions."""
    if not raw and getattr(instance, "needs_renditions", False):
        enqueue(instance.pk)


@receiver(post_delete, sender=Image, dispatch_uid="content_image_file_deleted")
@receiver(post_delete, sender=Rendition, dispatch_uid="content_rendition_file_deleted")
def file_deleted(sender, instance, **kwargs) -> None:
    """A deleted image takes its files (and its renditions' files) with it once
    the delete commits: a patient photo whose consent was withdrawn must not stay
    online at its address. (So a deleted image cannot be recovered with its
    file: ``ImageAdmin.recover_view``.)"""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def enqueue(pk: int) -> None:
    """Ask the worker for image ``pk``'s renditions once the transaction commits
    (at once outside one). A failed enqueue is logged: `manage.py make_renditions`
    makes whatever is missing."""

    def send():
        try:
            make_renditions.enqueue(pk)
        except Exception:  # noqa: BLE001 — the upload stands; the command catches up
            logger.exception("Could not enqueue the renditions of image %s", pk)

    transaction.on_commit(send)


def rendition_name(
    image: Image, spec: Spec, focal: tuple[float, float], width: int, height: int
) -> str:
    stem = image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    crop = ""
    if spec.ratio:
        crop = (
            "-"
            + spec.ratio.replace(":", "x")
            + "-"
            + focal_key(focal).replace(",", "-")
        )
    extension = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "AVIF": ".avif"}[
        spec.format
    ]
    return f"renditions/{stem[:2]}/{stem}/{width}x{height}{crop}{extension}"


def missing(image: Image) -> list[Spec]:
    """The renditions of ``image`` that settings ask for and that are not made."""
    focal = focal_key(image.focal)
    made = {
        (r.width, r.format.upper(), r.ratio)
        for r in image.renditions.all()
        if not r.ratio or r.focal == focal
    }
    wanted = specs(
        image.width,
        image.height,
        image.format.upper(),
        widths=settings.IMAGE_WIDTHS,
        ratios=settings.IMAGE_CROP_RATIOS,
        focal=image.focal,
    )
    return [s for s in wanted if (s.width, s.format, s.ratio) not in made]


def make(image: Image) -> int:
    """Make ``image``'s missing renditions; how many. The public documents that
    show the image are rendered again with them (its cache tag)."""
    todo = missing(image)
    if not todo:
        return 0
    with image.file.open("rb") as file:
        original = file.read()
    focal = image.focal
    made = 0
    for spec in todo:
        content, width, height = render(original, spec, focal)
        name = rendition_name(image, spec, focal, width, height)
        with transaction.atomic():
            rendition, created = Rendition.objects.get_or_create(
                image=image,
                width=spec.width,
                format=spec.format.lower(),
                ratio=spec.ratio,
                focal=focal_key(focal) if spec.ratio else "",
                defaults={"height": height, "file": name},
            )
            if created:
                # The name says what it holds (the image's own name, the size,
                # the crop): a file already there is this one.
                if not rendition.file.storage.exists(name):
                    rendition.file.save(name, ContentFile(content), save=True)
                made += 1
    if made:
        content_changed(tags=[f"image-{image.pk}"])
    return made


@task()
def make_renditions(pk: int) -> str:
    """Make image ``pk``'s renditions (after its upload, or a new focal point)."""
    image = Image.objects.filter(pk=pk).first()
    if image is None:
        return f"image {pk}: deleted, nothing to do"
    return f"image {pk}: {make(image)} renditions made"
