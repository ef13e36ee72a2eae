"""Names in every script and shape Unicode allows, for the tests that a name is kept exactly."""

from __future__ import annotations

NAMES = {
    "emoji": "Ana 🙂 Costa 👩🏽‍⚕️",
    "arabic-rtl": "مريم العلي",
    "hebrew-rtl-mixed": "דוד Levi 3",
    "combining-nfd": "Zoe\u0308 Mu\u0308ller",
    "precomposed-nfc": "Zoë Müller",
    "devanagari": "अनन्या शर्मा",
    "cjk": "山田 花子",
    "zalgo": "Z\u0335\u0321a\u0336\u0322l\u0337go",
    "bidi-controls": "\u202eevil\u202c Name",
    "astral-math": "𝓐𝓵𝓮𝔁",
}
