"""manage.py make_renditions: make every library image's missing renditions now.

The worker makes an image's renditions after its upload; this command makes what
is missing for all of them at once, e.g. after IMAGE_WIDTHS or IMAGE_CROP_RATIOS
changed, or for images whose task was lost. It is safe to run again: an image
with all its renditions costs one query.
"""

from django.core.management.base import BaseCommand

from content.models import Image
from content.renditions import make


class Command(BaseCommand):
    help = "Make the missing renditions of every library image."

    def handle(self, *args, **options):
        images = made = 0
        for image in Image.objects.prefetch_related("renditions").iterator(
            chunk_size=100
        ):
            images += 1
            made += make(image)
        self.stdout.write(f"{made} renditions made for {images} images.")
