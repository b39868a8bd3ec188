"""Draw the integration's own brand images (a cloud over a keyhole), not Nuki's logo.

Run with `.venv/bin/python script/dev/draw_brand.py`; writes custom_components/nuki_web_api/brand/.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[2] / "custom_components" / "nuki_web_api" / "brand"
TEAL = (0, 120, 130, 255)
WHITE = (255, 255, 255, 255)


def mark(size: int) -> Image.Image:
    """Rounded square with a keyhole and a small cloud arc above it."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    d.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=52 * s, fill=TEAL)
    # cloud: three overlapping circles and a base
    for cx, cy, r in ((100, 86, 26), (132, 72, 34), (166, 90, 24)):
        d.ellipse(((cx - r) * s, (cy - r) * s, (cx + r) * s, (cy + r) * s), fill=WHITE)
    d.rounded_rectangle((74 * s, 88 * s, 190 * s, 114 * s), radius=13 * s, fill=WHITE)
    # keyhole
    d.ellipse((100 * s, 132 * s, 156 * s, 188 * s), fill=WHITE)
    d.polygon(
        ((114 * s, 170 * s), (142 * s, 170 * s), (152 * s, 226 * s), (104 * s, 226 * s)), fill=WHITE
    )
    return img


def logo(height: int) -> Image.Image:
    """The mark followed by the words 'Nuki Web API'."""
    icon = mark(height)
    font_size = int(height * 0.42)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", font_size)
    except OSError:
        font = ImageFont.load_default(font_size)
    text = "Nuki Web API"
    width = height + int(font.getlength(text)) + height // 3
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    img.paste(icon, (0, 0), icon)
    ImageDraw.Draw(img).text(
        (height + height // 6, height // 2), text, font=font, fill=TEAL, anchor="lm"
    )
    return img


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    mark(256).save(OUT / "icon.png")
    mark(512).save(OUT / "icon@2x.png")
    logo(128).save(OUT / "logo.png")
    logo(256).save(OUT / "logo@2x.png")


if __name__ == "__main__":
    main()
