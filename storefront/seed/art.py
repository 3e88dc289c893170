"""Product illustrations: stylised SVG drawings, so the demo needs no photographs."""

from __future__ import annotations

from html import escape

# Each shape is SVG markup for a 300x300 canvas, drawn inside a group that fills with {c} and
# outlines with {d}; {l} is a lighter tint for details, {t} an optional label word.
PAPER = "#fffdf7"
GOLD = "#c9a227"
SHAPES: dict[str, str] = {
    "shirt": '<path d="M106 68 128 58Q150 70 172 58L194 68 240 104 222 136 200 122V246H100V122L78 136 60 104Z"/>'
    '<path d="M128 58 150 92 172 58 162 52Q150 62 138 52Z" fill="{l}"/>'
    '<path d="M150 92V246M166 132H188V152Q177 158 166 152Z" fill="none"/>'
    '<g fill="{d}" stroke="none"><circle cx="150" cy="120" r="3"/><circle cx="150" cy="152" r="3"/>'
    '<circle cx="150" cy="184" r="3"/><circle cx="150" cy="216" r="3"/></g>',
    "tee": '<path d="M112 62Q150 88 188 62L240 92 222 130 198 118V246H102V118L78 130 60 92Z"/>'
    '<path d="M124 66Q150 86 176 66M84 118 96 124M216 118 204 124" fill="none" stroke="{l}" stroke-width="5"/>',
    "knit": '<path d="M110 64Q150 84 190 64L230 84 254 204 228 210 204 124V238H96V124L72 210 46 204 70 84Z"/>'
    '<path d="M96 224H204M50 190 74 196M250 190 226 196M122 72Q150 94 178 72" fill="none"/>'
    '<path d="M126 112V210M150 112V210M174 112V210" fill="none" stroke="{l}" stroke-width="4" stroke-dasharray="7 6"/>',
    "trousers": '<path d="M104 56H196L208 248H160L150 118 140 248H92Z"/>'
    '<path d="M104 76H196M150 76V118M122 76 116 104M178 76 184 104" fill="none"/>',
    "cup": '<ellipse cx="150" cy="222" rx="88" ry="18"/>'
    '<path d="M202 144Q246 140 238 174Q230 198 194 196" fill="none" stroke-width="14"/>'
    '<path d="M202 144Q246 140 238 174Q230 198 194 196" fill="none" stroke="{c}" stroke-width="7"/>'
    '<path d="M92 126H208Q204 218 150 218Q96 218 92 126Z"/><ellipse cx="150" cy="126" rx="58" ry="12" fill="{l}"/>'
    '<path d="M100 158Q150 176 200 158" fill="none" stroke="{l}" stroke-width="6"/>',
    "plate": '<circle cx="150" cy="150" r="104"/><circle cx="150" cy="150" r="70" fill="{l}"/>'
    '<circle cx="150" cy="150" r="87" fill="none" stroke="{l}" stroke-width="5" stroke-dasharray="2 11"/>',
    "bowl": '<path d="M60 128H240Q236 236 150 236Q64 236 60 128Z"/>'
    '<ellipse cx="150" cy="128" rx="90" ry="20" fill="{l}"/>'
    '<path d="M78 168Q150 196 222 168" fill="none" stroke="{l}" stroke-width="6"/>',
    "vase": '<path d="M124 60H176L172 96Q226 130 216 192Q206 248 150 250Q94 248 84 192Q74 130 128 96Z"/>'
    '<ellipse cx="150" cy="60" rx="26" ry="6" fill="{d}"/>'
    '<path d="M94 164Q150 190 206 164M100 200Q150 222 200 200" fill="none" stroke="{l}" stroke-width="6"/>',
    "cloth": '<rect x="66" y="172" width="168" height="62" rx="10"/>'
    '<rect x="74" y="120" width="152" height="58" rx="10"/>'
    '<rect x="82" y="70" width="136" height="56" rx="10"/>'
    '<path d="M90 98H210M82 148H218M74 202H226" fill="none" stroke="{l}" stroke-width="5"/>',
    "moka": '<path d="M112 150 100 246H200L188 150Z"/><path d="M118 150H182L194 78H106Z"/>'
    '<path d="M106 78 150 62 194 78Z" fill="{d}"/><circle cx="150" cy="56" r="7" fill="{d}"/>'
    '<path d="M194 92Q234 96 228 150Q224 176 194 182" fill="none" stroke="{d}" stroke-width="12"/>'
    '<path d="M106 80 86 94" stroke-width="7"/><path d="M110 150H190" stroke-width="7"/>'
    '<path d="M150 82V146M150 156V240" stroke="{l}" stroke-width="4"/>',
    "board": '<rect x="128" y="44" width="44" height="64" rx="22"/>'
    '<rect x="70" y="92" width="160" height="152" rx="30"/>'
    '<circle cx="150" cy="70" r="9" fill="' + PAPER + '"/>'
    '<path d="M98 132Q150 120 202 136M98 172Q150 162 202 178M98 210Q150 200 202 214" fill="none" stroke-width="2"'
    ' opacity=".45"/>',
    "pot": '<path d="M54 128H90M210 128H246" stroke-width="14"/><rect x="80" y="114" width="140" height="122" rx="16"/>'
    '<path d="M92 114Q150 70 208 114Z" fill="{l}"/><path d="M70 114H230" stroke-width="8"/>'
    '<circle cx="150" cy="84" r="8" fill="{d}"/>'
    '<path d="M96 156H204M96 196H204" stroke="{l}" stroke-width="4" stroke-dasharray="10 8"/>',
    "bottle": '<rect x="136" y="36" width="28" height="20" rx="4" fill="{d}"/>'
    '<path d="M138 56H162V96Q196 112 196 144V240Q196 250 186 250H114Q104 250 104 240V144Q104 112 138 96Z"/>'
    '<rect x="112" y="152" width="76" height="62" rx="6" fill="' + PAPER + '"/>{t}',
    "wine": '<rect x="138" y="30" width="24" height="26" rx="3" fill="{d}"/>'
    '<path d="M140 56H160V110Q184 124 184 152V244Q184 252 176 252H124Q116 252 116 244V152Q116 124 140 110Z"/>'
    '<rect x="122" y="168" width="56" height="52" rx="4" fill="' + PAPER + '"/>{t}',
    "packet": '<path d="M92 92H208L220 248H80Z"/><path d="M92 64H208V92H92Z" fill="{d}"/>'
    '<path d="M92 72H208M92 80H208" stroke="{l}" stroke-width="2"/><circle cx="150" cy="118" r="7" fill="{d}"/>'
    '<rect x="102" y="140" width="96" height="70" rx="8" fill="' + PAPER + '"/>{t}',
    "box": '<path d="M78 92 112 62H230L196 92Z" fill="{l}"/><path d="M196 92 230 62V218L196 248Z" fill="{d}"/>'
    '<rect x="78" y="92" width="118" height="156"/>'
    '<rect x="88" y="134" width="98" height="54" rx="6" fill="' + PAPER + '"/>{t}',
    "jar": '<rect x="104" y="70" width="92" height="30" rx="6" fill="{d}"/>'
    '<path d="M98 100H202Q214 100 214 114V234Q214 248 200 248H100Q86 248 86 234V114Q86 100 98 100Z"/>'
    '<rect x="98" y="146" width="104" height="58" rx="6" fill="' + PAPER + '"/>{t}',
    "bag": '<path d="M112 118Q112 56 150 56Q188 56 188 118" fill="none" stroke="{d}" stroke-width="10"/>'
    '<path d="M74 112H226L242 246H58Z"/><path d="M74 112 150 164 226 112Z" fill="{l}"/>'
    '<circle cx="150" cy="164" r="7" fill="{d}"/>',
    "scarf": '<path d="M104 52Q150 80 196 52L188 120Q150 142 112 120Z"/><path d="M126 122 106 244H150L160 132Z"/>'
    '<path d="M162 130 178 236H220L188 118Z"/><path d="M112 200H152M176 200H214" stroke="{l}" stroke-width="6"/>'
    '<path d="M110 246v12M120 246v12M130 246v12M140 246v12M182 238v12M192 238v12M202 238v12M212 238v12"'
    ' stroke-width="2"/>',
    "hat": '<ellipse cx="150" cy="196" rx="114" ry="30"/><path d="M98 194Q94 104 150 98Q206 104 202 194Z"/>'
    '<path d="M97 166Q150 184 203 166V190Q150 206 97 190Z" fill="{d}"/>',
    "belt": '<rect x="40" y="128" width="226" height="42" rx="8"/>'
    '<rect x="46" y="116" width="58" height="66" rx="8" fill="none" stroke="' + GOLD + '" stroke-width="8"/>'
    '<path d="M56 149H112" stroke="' + GOLD + '" stroke-width="6"/>'
    '<g fill="{d}" stroke="none"><circle cx="156" cy="149" r="4"/><circle cx="184" cy="149" r="4"/>'
    '<circle cx="212" cy="149" r="4"/></g>',
    "glasses": '<path d="M58 138 30 124M242 138 270 124" stroke-width="8"/>'
    '<path d="M136 146Q150 128 164 146" fill="none" stroke-width="8"/>'
    '<rect x="50" y="116" width="90" height="70" rx="30"/><rect x="160" y="116" width="90" height="70" rx="30"/>'
    '<g fill="#334155" stroke="none" opacity=".8"><rect x="60" y="126" width="70" height="50" rx="22"/>'
    '<rect x="170" y="126" width="70" height="50" rx="22"/></g>',
    "notebook": '<rect x="86" y="52" width="134" height="196" rx="10"/>'
    '<rect x="86" y="52" width="20" height="196" rx="6" fill="{d}"/>'
    '<path d="M198 52V248" stroke="{d}" stroke-width="6"/>'
    '<rect x="120" y="92" width="62" height="30" rx="4" fill="' + PAPER + '"/>',
    "pen": '<g transform="rotate(35 150 150)"><rect x="138" y="36" width="24" height="172" rx="12"/>'
    '<path d="M138 208H162L150 258Z" fill="' + GOLD + '"/>'
    '<rect x="132" y="66" width="8" height="64" rx="3" fill="' + GOLD + '"/>'
    '<path d="M138 186H162" stroke="' + GOLD + '" stroke-width="5"/></g>',
    "book": '<path d="M82 60H210Q220 60 220 70V248H94Q82 248 82 236Z"/><path d="M94 248V230H220" fill="' + PAPER + '"/>'
    '<rect x="100" y="90" width="104" height="52" rx="4" fill="' + PAPER + '"/>{t}'
    '<path d="M112 170H192M112 188H176" stroke="{l}" stroke-width="5"/>',
    "soap": '<rect x="66" y="120" width="168" height="100" rx="34"/>'
    '<ellipse cx="150" cy="170" rx="48" ry="22" fill="none" stroke="{l}" stroke-width="5"/>'
    '<g fill="#fff" stroke-width="2" opacity=".85"><circle cx="206" cy="96" r="13"/><circle cx="230" cy="68" r="7"/>'
    '<circle cx="92" cy="100" r="9"/></g>',
    "top": '<path d="M150 40V78" stroke-width="10"/>'
    '<path d="M150 76Q224 90 236 150Q190 200 150 256Q110 200 64 150Q76 90 150 76Z"/>'
    '<path d="M70 140Q150 170 230 140" fill="none" stroke="{l}" stroke-width="10"/>'
    '<path d="M98 192Q150 210 202 192" fill="none" stroke="{d}" stroke-width="6"/>',
}
# Where each shape's label sits: (x, y, width available).
LABELS = {
    "bottle": (150, 189, 70),
    "wine": (150, 200, 54),
    "packet": (150, 181, 88),
    "box": (137, 167, 90),
    "jar": (150, 181, 96),
    "book": (152, 122, 96),
}
# Positions (dx, dy) of a product drawn in several colours: the first colour in front.
GROUP = {2: [(85, 45), (15, 60)], 3: [(95, 35), (-5, 35), (45, 60)]}


def _mix(colour: str, other: str, t: float) -> str:
    """colour moved a share t towards other."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _label(shape: str, text: str) -> str:
    if shape not in LABELS or not text:
        return ""
    x, y, width = LABELS[shape]
    size = min(16, int(width / (0.68 * len(text))))  # bold sans-serif is about 0.68 em per capital
    return (
        f'<text x="{x}" y="{y}" font-family="sans-serif" font-size="{size}" font-weight="700" '
        f'text-anchor="middle" fill="{{d}}" stroke="none">{escape(text)}</text>'
    )


def svg(shape: str, colours: list[str], label: str = "") -> str:
    """A stylised product illustration: the shape in each colour (up to three), on a soft tint."""
    colours = colours[:3]
    first = colours[0]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 300" width="300" height="300">',
        f'<rect width="300" height="300" fill="{_mix(first, "#faf7f2", 0.82)}"/>',
        '<circle cx="150" cy="146" r="120" fill="#fff" fill-opacity=".45"/>',
        '<ellipse cx="150" cy="262" rx="96" ry="10" fill="#000" fill-opacity=".08"/>',
    ]
    text = _label(shape, label)
    placed = (
        [(c, None) for c in colours]
        if len(colours) == 1
        else list(zip(reversed(colours), GROUP[len(colours)], strict=True))
    )
    for colour, offset in placed:
        dark, light = _mix(colour, "#000000", 0.45), _mix(colour, "#ffffff", 0.55)
        body = (SHAPES[shape].replace("{t}", text) if offset is None else SHAPES[shape].replace("{t}", "")).format(
            c=colour, d=dark, l=light
        )
        move = f' transform="translate({offset[0]} {offset[1]}) scale(.7)"' if offset else ""
        parts.append(
            f'<g{move} fill="{colour}" stroke="{dark}" stroke-width="3" stroke-linejoin="round" '
            f'stroke-linecap="round">{body}</g>'
        )
    parts.append("</svg>")
    return "".join(parts)
