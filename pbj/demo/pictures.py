"""Product pictures for the demo, drawn in code: a simple recognisable object per kind
(a cup, a ream of paper, a shirt, a jar, a chair…) in the colours of the product's top
category, with the product's short name underneath. No image files are committed; each
picture is a small flat JPEG (about 15 KB, its thumbnail about 5 KB).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from pbj.services.uploads import StoredImage, save_product_image

WIDTH, HEIGHT = 640, 480
BACKGROUND = (246, 244, 240)
INK = (33, 33, 33)
WHITE = (255, 255, 255)
# Colours of each top category (slug): the object's main colour and an accent.
PALETTES = {
    "alat-tulis-kantor": ((11, 61, 110), (240, 180, 40)),
    "bahan-pokok": ((0, 112, 60), (214, 178, 110)),
    "makanan-minuman": ((196, 84, 20), (250, 214, 140)),
    "jasa-percetakan": ((90, 45, 145), (0, 160, 200)),
    "pakaian-seragam": ((138, 90, 0), (177, 14, 30)),
    "jasa-kebersihan": ((0, 110, 125), (130, 200, 220)),
    "perlengkapan-kebersihan": ((30, 130, 80), (160, 215, 120)),
    "furnitur": ((120, 70, 30), (205, 155, 95)),
    "elektronik": ((45, 45, 50), (0, 120, 215)),
    "bahan-bangunan": ((170, 60, 40), (150, 150, 150)),
    "kerajinan-suvenir": ((177, 14, 30), (228, 178, 40)),
}
DEFAULT_PALETTE = ((11, 61, 110), (240, 180, 40))

Colour = tuple[int, int, int]
Painter = Callable[[ImageDraw.ImageDraw, Colour, Colour], None]


def _lighter(colour: Colour, share: float = 0.55) -> Colour:
    r, g, b = colour
    return (int(r + (255 - r) * share), int(g + (255 - g) * share), int(b + (255 - b) * share))


def _darker(colour: Colour, share: float = 0.35) -> Colour:
    r, g, b = colour
    return (int(r * (1 - share)), int(g * (1 - share)), int(b * (1 - share)))


# -- The objects: each draws inside the box (0, 0)-(640, 380) ----------------------------

def _ream(d, main, accent):  # a ream of paper with its wrapper band
    d.polygon([(170, 150), (470, 150), (520, 110), (220, 110)], fill=WHITE, outline=INK, width=3)
    d.rectangle([170, 150, 470, 290], fill=_lighter(main, 0.8), outline=INK, width=3)
    d.polygon([(470, 150), (520, 110), (520, 250), (470, 290)], fill=_lighter(main, 0.6), outline=INK, width=3)
    d.rectangle([170, 185, 470, 245], fill=main)
    d.text((200, 197), "A4", fill=WHITE, font=_font(34))
    for y in (160, 170):
        d.line([(175, y), (465, y)], fill=(200, 200, 200), width=1)


def _book(d, main, accent):
    d.rectangle([205, 80, 435, 320], fill=main, outline=INK, width=3)
    d.rectangle([205, 80, 235, 320], fill=_darker(main))
    d.rectangle([265, 130, 405, 175], fill=accent)
    d.rectangle([435, 90, 450, 315], fill=WHITE, outline=INK, width=2)


def _pen(d, main, accent):
    for x, colour in ((200, main), (290, INK), (380, accent)):
        d.rectangle([x, 90, x + 40, 270], fill=colour, outline=INK, width=2)
        d.polygon([(x, 270), (x + 40, 270), (x + 20, 320)], fill=(230, 210, 170), outline=INK)
        d.rectangle([x - 4, 80, x + 44, 110], fill=_darker(colour))


def _folder(d, main, accent):
    d.polygon([(150, 110), (280, 110), (300, 135), (490, 135), (490, 320), (150, 320)], fill=_darker(main))
    d.rectangle([165, 150, 505, 320], fill=main, outline=INK, width=3)
    d.rectangle([300, 190, 390, 230], fill=WHITE)


def _stapler(d, main, accent):
    d.rounded_rectangle([140, 260, 500, 300], 12, fill=(90, 90, 90))
    d.polygon([(150, 250), (470, 170), (500, 190), (500, 255), (150, 262)], fill=main, outline=INK)
    d.ellipse([140, 235, 180, 275], fill=_darker(main))


def _sack(d, main, accent):  # a sack of rice, cement or fertiliser
    d.polygon([(210, 90), (430, 90), (465, 320), (175, 320)], fill=accent, outline=INK)
    d.ellipse([200, 70, 440, 110], fill=_lighter(accent, 0.3), outline=INK)
    d.rectangle([225, 170, 415, 250], fill=WHITE)
    d.rectangle([240, 185, 400, 235], fill=main)
    d.line([(300, 75), (340, 75)], fill=INK, width=4)


def _bottle(d, main, accent):
    for x, w, h in ((215, 90, 230), (335, 90, 190)):
        top = 330 - h
        d.rectangle([x + 30, top - 40, x + w - 30, top], fill=_darker(main))
        d.rounded_rectangle([x, top, x + w, 330], 20, fill=_lighter(main, 0.4), outline=INK, width=3)
        d.rectangle([x + 6, top + 60, x + w - 6, top + 120], fill=accent)


def _basket(d, main, accent):  # groceries: a basket with a bottle, eggs and a packet
    d.rectangle([330, 110, 370, 220], fill=_lighter(main, 0.3))
    d.rectangle([230, 130, 300, 220], fill=(214, 60, 40))
    for x in (380, 420):
        d.ellipse([x, 180, x + 38, 228], fill=(245, 230, 200), outline=INK)
    d.polygon([(170, 200), (470, 200), (440, 330), (200, 330)], fill=accent, outline=INK)
    for y in (240, 280):
        d.line([(185, y), (455, y)], fill=_darker(accent), width=3)
    d.arc([210, 90, 430, 310], 200, 340, fill=INK, width=6)


def _gift(d, main, accent):
    d.rectangle([190, 160, 450, 320], fill=main, outline=INK, width=3)
    d.rectangle([175, 130, 465, 170], fill=_darker(main), outline=INK, width=3)
    d.rectangle([305, 130, 335, 320], fill=accent)
    d.ellipse([260, 90, 320, 135], outline=accent, width=10)
    d.ellipse([320, 90, 380, 135], outline=accent, width=10)


def _snackbox(d, main, accent):
    d.polygon([(170, 170), (470, 170), (520, 90), (220, 90)], fill=WHITE, outline=INK)
    d.rectangle([170, 170, 470, 310], fill=WHITE, outline=INK, width=3)
    for i, colour in enumerate((main, accent, (90, 160, 60))):
        d.ellipse([190 + i * 92, 190, 270 + i * 92, 270], fill=colour, outline=INK)
    d.text((205, 280), "SNACK", fill=main, font=_font(22))


def _cake(d, main, accent):
    d.ellipse([170, 240, 470, 320], fill=(225, 225, 225), outline=INK)
    d.rectangle([200, 170, 440, 280], fill=accent)
    for y in (195, 220, 245):
        d.line([(200, y), (440, y)], fill=_darker(accent, 0.3), width=5)
    d.ellipse([200, 250, 440, 310], fill=accent)
    d.ellipse([200, 140, 440, 200], fill=_lighter(main, 0.3), outline=INK)


def _plate(d, main, accent):  # rice with side dishes
    d.ellipse([140, 140, 500, 330], fill=WHITE, outline=INK, width=3)
    d.ellipse([180, 165, 460, 305], fill=(235, 235, 235))
    d.ellipse([200, 170, 330, 270], fill=WHITE, outline=(200, 200, 200))
    d.ellipse([320, 190, 420, 260], fill=main)
    d.ellipse([260, 240, 350, 295], fill=(70, 150, 60))
    d.polygon([(420, 120), (440, 120), (430, 240)], fill=(150, 150, 150))


def _cup(d, main, accent):
    d.ellipse([160, 270, 480, 330], fill=(230, 230, 230), outline=INK)
    d.polygon([(215, 150), (425, 150), (400, 300), (240, 300)], fill=main, outline=INK)
    d.ellipse([215, 135, 425, 170], fill=(90, 50, 20), outline=INK)
    d.arc([395, 170, 470, 250], -90, 90, fill=main, width=14)
    for x in (280, 320, 360):
        d.arc([x - 15, 60, x + 15, 130], 100, 260, fill=(160, 160, 160), width=4)


def _shirt(d, main, accent):
    d.polygon([(250, 90), (390, 90), (480, 140), (450, 200), (410, 180), (410, 330), (230, 330),
               (230, 180), (190, 200), (160, 140)], fill=main, outline=INK)
    d.polygon([(290, 90), (350, 90), (320, 130)], fill=WHITE, outline=INK)
    d.line([(320, 130), (320, 330)], fill=_darker(main), width=3)
    for y in (160, 210, 260):
        d.ellipse([312, y, 328, y + 16], fill=accent)
    d.rectangle([250, 170, 295, 200], outline=accent, width=3)


def _cloth(d, main, accent):  # folded woven cloth
    for i, colour in enumerate((main, accent, _darker(main))):
        top = 110 + i * 65
        d.rounded_rectangle([170, top, 470, top + 80], 10, fill=colour, outline=INK, width=2)
        for x in range(190, 460, 40):
            d.polygon([(x, top + 40), (x + 20, top + 15), (x + 40, top + 40), (x + 20, top + 65)],
                      outline=WHITE if colour != accent else main, width=2)


def _shoe(d, main, accent):
    d.polygon([(200, 120), (300, 120), (310, 230), (460, 250), (480, 300), (190, 300)], fill=INK)
    d.rectangle([190, 300, 480, 320], fill=(90, 70, 50))
    for y in (150, 180, 210):
        d.line([(300, y), (330, y + 10)], fill=accent, width=4)


def _chair(d, main, accent):
    d.rounded_rectangle([230, 70, 410, 220], 14, fill=main, outline=INK, width=3)
    d.rectangle([210, 220, 430, 255], fill=_darker(main), outline=INK, width=3)
    for x in (222, 404):
        d.rectangle([x, 255, x + 14, 340], fill=_darker(main, 0.5))


def _table(d, main, accent):
    d.rectangle([130, 150, 510, 180], fill=main, outline=INK, width=3)
    d.rectangle([150, 180, 170, 330], fill=_darker(main))
    d.rectangle([470, 180, 490, 330], fill=_darker(main))
    d.rectangle([330, 180, 470, 270], fill=_lighter(main, 0.2), outline=INK, width=2)
    d.line([(330, 225), (470, 225)], fill=INK, width=2)
    d.rectangle([200, 120, 280, 150], fill=accent)


def _cabinet(d, main, accent):
    d.rectangle([200, 60, 440, 340], fill=main, outline=INK, width=3)
    for y in (60, 130, 200, 270):
        d.rectangle([210, y + 10, 430, y + 65], fill=_lighter(main, 0.2), outline=INK, width=2)
        d.rectangle([300, y + 30, 340, y + 42], fill=accent)


def _laptop(d, main, accent):
    d.rounded_rectangle([190, 90, 450, 260], 10, fill=main)
    d.rectangle([205, 105, 435, 245], fill=accent)
    d.polygon([(150, 270), (490, 270), (520, 310), (120, 310)], fill=_lighter(main, 0.3), outline=INK)
    d.rectangle([280, 285, 360, 295], fill=main)


def _printer(d, main, accent):
    d.rectangle([240, 80, 400, 150], fill=WHITE, outline=INK, width=2)
    d.rounded_rectangle([170, 140, 470, 280], 12, fill=_lighter(main, 0.3), outline=INK, width=3)
    d.rectangle([220, 270, 420, 330], fill=WHITE, outline=INK, width=2)
    d.ellipse([420, 165, 445, 190], fill=accent)


def _mouse(d, main, accent):  # a keyboard and a mouse
    d.rounded_rectangle([110, 190, 400, 310], 10, fill=main)
    for row in range(3):
        for col in range(8):
            x, y = 125 + col * 34, 205 + row * 34
            d.rectangle([x, y, x + 26, y + 26], fill=_lighter(main, 0.3))
    d.ellipse([440, 170, 530, 310], fill=main, outline=INK)
    d.line([(485, 170), (485, 220)], fill=accent, width=4)


def _bulb(d, main, accent):
    d.ellipse([230, 70, 410, 250], fill=(255, 236, 140), outline=INK, width=3)
    d.rectangle([280, 245, 360, 320], fill=(170, 170, 170), outline=INK, width=2)
    for y in (265, 285, 305):
        d.line([(280, y), (360, y)], fill=INK, width=2)
    d.line([(300, 200), (320, 150), (340, 200)], fill=main, width=4)


def _banner(d, main, accent):
    d.rectangle([140, 60, 152, 340], fill=(100, 100, 100))
    d.rectangle([488, 60, 500, 340], fill=(100, 100, 100))
    d.rectangle([152, 80, 488, 230], fill=main, outline=INK, width=2)
    d.rectangle([180, 110, 460, 150], fill=WHITE)
    d.rectangle([180, 170, 380, 200], fill=accent)


def _envelope(d, main, accent):
    d.rectangle([160, 120, 480, 320], fill=_lighter(main, 0.75), outline=INK, width=3)
    d.polygon([(160, 120), (480, 120), (320, 230)], fill=_lighter(main, 0.5), outline=INK)
    d.ellipse([295, 205, 345, 255], fill=accent, outline=INK)


def _sign(d, main, accent):  # a stamp and a name plate
    d.rectangle([150, 120, 400, 230], fill=main, outline=INK, width=3)
    d.rectangle([175, 150, 375, 170], fill=WHITE)
    d.rectangle([175, 185, 320, 200], fill=accent)
    d.rectangle([440, 200, 500, 260], fill=INK)
    d.ellipse([445, 120, 495, 200], fill=accent, outline=INK)
    d.rectangle([420, 260, 520, 300], fill=_darker(main), outline=INK)


def _brick(d, main, accent):
    for row in range(4):
        offset = 0 if row % 2 else 55
        for col in range(4):
            x = 130 + offset + col * 105
            y = 130 + row * 50
            if x + 100 <= 560:
                d.rectangle([x, y, x + 100, y + 45], fill=main, outline=_lighter(accent, 0.4), width=3)


def _paint(d, main, accent):
    d.ellipse([200, 100, 440, 150], fill=_darker(main), outline=INK)
    d.rectangle([200, 125, 440, 310], fill=_lighter(main, 0.35), outline=INK, width=3)
    d.ellipse([200, 285, 440, 335], fill=_lighter(main, 0.35), outline=INK)
    d.rectangle([240, 170, 400, 250], fill=WHITE)
    d.rectangle([260, 190, 380, 230], fill=main)
    d.arc([200, 40, 440, 230], 200, 340, fill=INK, width=5)


def _planks(d, main, accent):  # timber and steel bars
    for i in range(4):
        y = 130 + i * 45
        d.rectangle([130, y, 510, y + 38], fill=(200, 150, 90) if i % 2 else (175, 125, 70), outline=INK)
    for i in range(5):
        d.line([(140, 320 + i * 8), (500, 300 + i * 8)], fill=(90, 90, 100), width=5)


def _jar(d, main, accent):  # a big jar with a dragon band
    d.ellipse([190, 100, 450, 340], fill=main, outline=INK, width=3)
    d.rectangle([260, 70, 380, 115], fill=main, outline=INK, width=3)
    d.ellipse([255, 60, 385, 85], fill=_darker(main), outline=INK)
    d.arc([210, 170, 430, 270], 180, 360, fill=accent, width=10)
    d.arc([230, 190, 410, 300], 0, 180, fill=accent, width=6)


def _bag(d, main, accent):  # a woven bag
    d.arc([250, 60, 390, 200], 180, 360, fill=_darker(accent), width=12)
    d.polygon([(190, 140), (450, 140), (480, 330), (160, 330)], fill=accent, outline=INK)
    for y in range(160, 330, 28):
        d.line([(175, y), (465, y)], fill=_darker(accent), width=3)
    for x in range(200, 450, 40):
        d.line([(x, 145), (x - 10, 325)], fill=main, width=3)


def _bucket(d, main, accent):  # a bucket and a mop
    d.polygon([(170, 170), (350, 170), (330, 330), (190, 330)], fill=main, outline=INK)
    d.arc([175, 110, 345, 230], 200, 340, fill=INK, width=5)
    d.line([(430, 50), (430, 280)], fill=(150, 110, 60), width=10)
    for x in range(395, 470, 12):
        d.line([(430, 280), (x, 335)], fill=accent, width=6)


def _broom(d, main, accent):  # cleaning work: a broom and a dustpan
    d.line([(260, 50), (300, 250)], fill=(150, 110, 60), width=10)
    d.polygon([(250, 240), (350, 240), (380, 330), (220, 330)], fill=accent, outline=INK)
    d.polygon([(400, 270), (520, 270), (500, 330), (400, 330)], fill=main, outline=INK)
    d.line([(520, 270), (560, 220)], fill=main, width=10)
    d.ellipse([130, 90, 200, 160], fill=_lighter(main, 0.5))


def _washer(d, main, accent):  # laundry: a washing machine with folded linen
    d.rounded_rectangle([170, 80, 390, 330], 14, fill=WHITE, outline=INK, width=3)
    d.rectangle([170, 80, 390, 120], fill=_lighter(main, 0.5), outline=INK, width=3)
    d.ellipse([205, 150, 355, 300], fill=_lighter(main, 0.3), outline=INK, width=6)
    for i in range(3):
        d.rounded_rectangle([420, 250 - i * 40, 540, 290 - i * 40], 6, fill=(main, accent, WHITE)[i], outline=INK)


def _plant(d, main, accent):
    d.polygon([(250, 230), (390, 230), (370, 330), (270, 330)], fill=(170, 90, 50), outline=INK)
    for box in ([230, 90, 320, 200], [320, 80, 410, 190], [270, 40, 370, 140]):
        d.ellipse(box, fill=main, outline=_darker(main))
    d.line([(320, 140), (320, 230)], fill=_darker(main), width=6)


def _packet(d, main, accent):  # a snack pouch
    d.polygon([(200, 80), (440, 80), (460, 330), (180, 330)], fill=accent, outline=INK)
    d.rectangle([200, 80, 440, 100], fill=_darker(accent))
    d.ellipse([250, 150, 390, 260], fill=WHITE)
    d.ellipse([275, 175, 365, 235], fill=main)


KINDS: dict[str, Painter] = {
    "ream": _ream, "book": _book, "pen": _pen, "folder": _folder, "stapler": _stapler,
    "sack": _sack, "bottle": _bottle, "basket": _basket, "gift": _gift, "snackbox": _snackbox,
    "cake": _cake, "plate": _plate, "cup": _cup, "shirt": _shirt, "cloth": _cloth, "shoe": _shoe,
    "chair": _chair, "table": _table, "cabinet": _cabinet, "laptop": _laptop, "printer": _printer,
    "mouse": _mouse, "bulb": _bulb, "banner": _banner, "envelope": _envelope, "sign": _sign,
    "brick": _brick, "paint": _paint, "planks": _planks, "jar": _jar, "bag": _bag, "bucket": _bucket,
    "broom": _broom, "washer": _washer, "plant": _plant, "packet": _packet,
}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own bundled font: nothing to install, the same everywhere.
    return ImageFont.load_default(size=size)


def _caption(d: ImageDraw.ImageDraw, text: str) -> None:
    """The short name on a white band, on one or two lines, shrunk to fit."""
    d.rectangle([0, 380, WIDTH, HEIGHT], fill=WHITE)
    for size in (40, 34, 28):
        font = _font(size)
        lines = _wrap(d, text, font, WIDTH - 40)
        if len(lines) <= 2:
            break
    lines = lines[:2]
    line_height = size + 6
    top = 380 + (HEIGHT - 380 - line_height * len(lines)) // 2
    for n, line in enumerate(lines):
        d.text((WIDTH // 2, top + n * line_height), line, fill=INK, font=font, anchor="ma")


def _wrap(d: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and d.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw(kind: str, top_slug: str, caption: str) -> Image.Image:
    """The picture of one product line: its object in its category's colours, and its name."""
    main, accent = PALETTES.get(top_slug, DEFAULT_PALETTE)
    img = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, WIDTH, 12], fill=main)  # the category's colour along the top
    KINDS[kind](d, main, accent)
    _caption(d, caption)
    return img


def stored_picture(kind: str, top_slug: str, caption: str) -> StoredImage:
    """Draw, encode (a JPEG and its thumbnail, as uploads are) and store one picture."""
    img = draw(kind, top_slug, caption)
    large = io.BytesIO()
    img.save(large, "JPEG", quality=70, optimize=True)
    thumb = img.copy()
    thumb.thumbnail((320, 320))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=65, optimize=True)
    return save_product_image(large.getvalue(), small.getvalue(), img.width, img.height)
