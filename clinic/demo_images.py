"""The demo's pictures, drawn here with Pillow (no downloaded asset): the seed
article's hero, a smile whose corners sit unevenly, and a diagram of the muscles
that move the mouth corner. Each is drawn at twice its size and scaled down, for
smooth edges; the same code always draws the same pixels."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

SKIN = (243, 214, 196)
LIP = (196, 92, 98)
LIP_DARK = (150, 58, 66)
TEETH = (252, 250, 246)
INK = (64, 56, 60)
BACKGROUND = (236, 242, 246)
LIFT = (63, 125, 190)  # muscles that lift the corner
PULL = (205, 104, 60)  # the muscle that pulls it down
RING = (140, 112, 170)  # the ring muscle of the lips


def _png(image: Image.Image, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()


def _mouth(draw: ImageDraw.ImageDraw, cx: float, cy: float, w: float, drop: float):
    """Lips from the left corner to the right one, the right corner ``drop``
    lower (a twist): upper lip, teeth, lower lip as polygons along curves."""
    steps = 60
    left = (cx - w / 2, cy)
    right = (cx + w / 2, cy + drop)

    def along(t: float, bulge: float) -> tuple[float, float]:
        x = left[0] + (right[0] - left[0]) * t
        y = left[1] + (right[1] - left[1]) * t + bulge * math.sin(math.pi * t)
        return x, y

    upper_out = [along(i / steps, -w * 0.16) for i in range(steps + 1)]
    upper_in = [along(1 - i / steps, w * 0.02) for i in range(steps + 1)]
    lower_in = [along(i / steps, w * 0.16) for i in range(steps + 1)]
    lower_out = [along(1 - i / steps, w * 0.30) for i in range(steps + 1)]
    draw.polygon(upper_in + lower_in[::-1], fill=TEETH)
    draw.polygon(upper_out + upper_in, fill=LIP)
    draw.polygon(lower_in + lower_out, fill=LIP)
    draw.line(upper_in[::-1] + lower_in, fill=LIP_DARK, width=6)
    return left, right


def smile(size: tuple[int, int] = (1600, 900)) -> bytes:
    """The hero: the lower half of a face, smiling, the right corner (the
    reader's right) lower than the left."""
    w, h = size[0] * 2, size[1] * 2
    image = Image.new("RGB", (w, h), BACKGROUND)
    draw = ImageDraw.Draw(image)
    # The face: a wide oval cut by the top edge; the chin near the bottom.
    draw.ellipse((w * 0.18, -h * 0.9, w * 0.82, h * 0.96), fill=SKIN)
    # The nose's base.
    draw.arc((w * 0.44, h * 0.10, w * 0.56, h * 0.26), 20, 160, fill=INK, width=8)
    left, right = _mouth(draw, w * 0.5, h * 0.52, w * 0.34, h * 0.07)
    # Level guide: where the right corner would sit if even.
    dash = 26
    x = left[0] - w * 0.05
    while x < right[0] + w * 0.05:
        draw.line((x, left[1], x + dash, left[1]), fill=INK, width=5)
        x += dash * 2
    draw.ellipse(
        (right[0] - 22, right[1] - 22, right[0] + 22, right[1] + 22),
        outline=PULL,
        width=8,
    )
    return _png(image, size)


def muscles(size: tuple[int, int] = (1200, 900)) -> bytes:
    """The muscles around the mouth corner: two lifting up and out, one pulling
    sideways, one pulling down, and the ring around the lips; one color each
    kind, drawn as bands from the corner."""
    w, h = size[0] * 2, size[1] * 2
    image = Image.new("RGB", (w, h), (250, 247, 243))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (w * 0.06, h * 0.06, w * 0.94, h * 0.94), radius=60, fill=SKIN
    )
    cx, cy = w * 0.5, h * 0.5
    mouth_w = w * 0.36
    # The ring muscle around the lips.
    draw.ellipse(
        (cx - mouth_w * 0.62, cy - h * 0.17, cx + mouth_w * 0.62, cy + h * 0.19),
        outline=RING,
        width=46,
    )
    _mouth(draw, cx, cy, mouth_w, 0)
    for side in (-1, 1):
        corner = (cx + side * mouth_w / 2, cy)
        bands = [
            (LIFT, (cx + side * w * 0.40, h * 0.12), 40),  # zygomaticus major
            (LIFT, (cx + side * w * 0.24, h * 0.10), 30),  # levator anguli oris
            (LIFT, (cx + side * w * 0.43, cy - h * 0.02), 26),  # risorius
            (PULL, (cx + side * w * 0.33, h * 0.90), 44),  # depressor anguli oris
        ]
        for color, end, width in bands:
            draw.line((corner, end), fill=color, width=width)
            draw.ellipse(
                (end[0] - width, end[1] - width, end[0] + width, end[1] + width),
                fill=color,
            )
        # The modiolus: where they meet at the corner.
        draw.ellipse(
            (corner[0] - 34, corner[1] - 34, corner[0] + 34, corner[1] + 34),
            fill=INK,
        )
    return _png(image, size)


# The clinic, as the seed names it in each language.
CREDIT = {
    "en": "Dr.Tak Plastic Surgery",
    "ko": "닥터탁 성형외과",
    "ja": "Dr.Tak形成外科",
    "zh-hans": "Dr.Tak整形外科",
}

# The demo's images: how each is drawn, what it says in each language, and its
# focal point. The key names the image for the loader (its file name comes from
# it, so a second run finds it).
DEMO_IMAGES = {
    "smile": {
        "draw": smile,
        "focal": (0.62, 0.56),
        "credit": CREDIT,
        "alt_text": {
            "en": "Illustration of a smile in which one mouth corner sits lower "
            "than the other",
            "ko": "한쪽 입꼬리가 다른 쪽보다 낮게 처진 미소를 그린 일러스트",
            "ja": "片方の口角がもう片方より低い位置にある笑顔のイラスト",
            "zh-hans": "一侧嘴角比另一侧低的微笑示意图",
        },
        "caption": {
            "en": "When one corner sits lower, the smile looks twisted.",
            "ko": "한쪽 입꼬리가 낮으면 미소가 비뚤어져 보입니다.",
            "ja": "片方の口角が下がっていると、笑顔がゆがんで見えます。",
            "zh-hans": "一侧嘴角偏低时，笑容看起来是歪的。",
        },
    },
    "muscles": {
        "draw": muscles,
        "focal": (0.5, 0.5),
        "credit": CREDIT,
        "alt_text": {
            "en": "Diagram of the muscles around the mouth corner: blue muscles "
            "lift it up and out, an orange muscle pulls it down, and a purple "
            "ring muscle surrounds the lips",
            "ko": "입꼬리 주변 근육 도해: 파란색 근육은 입꼬리를 위와 바깥으로 "
            "끌어올리고, 주황색 근육은 아래로 당기며, 보라색 고리 모양 근육이 "
            "입술을 둘러쌉니다",
            "ja": "口角まわりの筋肉の図：青い筋肉は口角を外上方へ引き上げ、"
            "オレンジ色の筋肉は下へ引き下げ、紫色の輪状の筋肉が唇を囲んでいます",
            "zh-hans": "嘴角周围肌肉示意图：蓝色肌肉将嘴角向外上方提起，橙色肌肉"
            "向下牵拉，紫色环形肌肉环绕嘴唇",
        },
        "caption": {
            "en": "The balance of lifting and pulling-down muscles sets where "
            "each corner rests.",
            "ko": "끌어올리는 근육과 끌어내리는 근육의 균형이 입꼬리의 위치를 "
            "정합니다.",
            "ja": "引き上げる筋肉と引き下げる筋肉のバランスが、口角の位置を決めます。",
            "zh-hans": "提升肌与下拉肌之间的平衡，决定了嘴角停留的位置。",
        },
    },
}
