"""Build core/vi_background.tsv: how common each Vietnamese syllable is in general text.

The matcher weighs a word by how much it tells (core/understanding.py): rare in the ward's
content AND rare in Vietnamese at large. The general part comes from the `wordfreq` package
(Zipf frequencies from Wikipedia, subtitles, news, web text; CC BY-SA 4.0), taken once here so the
bot does not depend on it at run time:

    pip install wordfreq==3.1.1 && python tools/build_background.py
"""
from pathlib import Path
import re

import wordfreq

OUT = Path(__file__).resolve().parents[1] / "core" / "vi_background.tsv"
SYLLABLE = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]+$")
MIN_ZIPF = 3.0  # rarer than this: as good as unknown


def main() -> None:
    rows = []
    for word, freq in wordfreq.get_frequency_dict("vi").items():
        zipf = wordfreq.zipf_frequency(word, "vi")
        if zipf >= MIN_ZIPF and SYLLABLE.match(word) and len(word) <= 7:
            rows.append((word, zipf))
    rows.sort(key=lambda r: (-r[1], r[0]))
    header = "# Vietnamese syllable -> Zipf frequency (wordfreq 3.1.1, CC BY-SA 4.0); tools/build_background.py\n"
    OUT.write_text(header + "".join(f"{w}\t{z:.2f}\n" for w, z in rows), encoding="utf-8")
    print(f"{OUT}: {len(rows)} syllables")


if __name__ == "__main__":
    main()
