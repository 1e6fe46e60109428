"""Build ``src/complaintmine/resources/userdict.txt`` from the candidate term list.

A candidate is kept when (1) jieba's own dictionary splits it, (2) it occurs at least
twice in the bundled review corpora, and (3) some frequency keeps it whole in at least
90% of up to 30 real review sentences that contain it. The smallest such frequency from
a fixed ladder is written, so jieba and jieba-rs load identical entries.

Usage: python scripts/build_userdict.py  (prints a report; rewrites the dictionary)
"""

from __future__ import annotations

import re
from pathlib import Path

import jieba

from complaintmine.datasets import load_reviews

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ROOT / "scripts" / "userdict_candidates.txt"
TARGET = ROOT / "src" / "complaintmine" / "resources" / "userdict.txt"
LADDER = (20, 100, 500, 2000, 10000)
HEADER = """\
# complaintmine complaint-domain user dictionary for jieba ("word freq tag" per line).
# Built by scripts/build_userdict.py: every word is split by jieba's own dictionary, occurs in
# the bundled review corpora, and stays whole at this frequency in >= 90% of up to 30 real
# review sentences containing it, and in >= 80% of up to 30 normalized real reviews with the whole
# dictionary loaded.
"""


def main() -> None:
    jieba.setLogLevel(60)
    texts = load_reviews()["text"].dropna().tolist()
    words = [w.strip() for w in CANDIDATES.read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if w and not w.startswith("#")]
    base = jieba.Tokenizer()
    base.initialize()
    out, rejected = [], []
    for word in dict.fromkeys(words):
        if base.lcut(word) == [word]:
            rejected.append((word, "jieba already keeps it whole"))
            continue
        contexts = [t for t in texts if word in t][:30]
        if len(contexts) < 2:
            rejected.append((word, "fewer than 2 occurrences"))
            continue
        sentences = [s for t in contexts for s in re.split(r"[。！？!?\n]", t) if word in s]
        for freq in LADDER:
            base.add_word(word, freq, "n")
            kept = sum(word in base.lcut(s) for s in sentences)
            base.del_word(word)
            if kept >= 0.9 * len(sentences):
                out.append(f"{word} {freq} n")
                break
        else:
            rejected.append((word, f"split in context even at freq {LADDER[-1]}"))
    # final check with the whole dictionary loaded, on normalized real texts (as the package uses it)
    from complaintmine.normalization import normalize

    full = jieba.Tokenizer()
    full.initialize()
    for line in out:
        word, freq, tag = line.split()
        full.add_word(word, int(freq), tag)
    final = []
    for line in out:
        word = line.split()[0]
        contexts = [normalize(t) for t in texts if word in t][:30]
        kept = sum(word in full.lcut(t) for t in contexts)
        if kept >= 0.8 * len(contexts):
            final.append(line)
        else:
            rejected.append((word, f"kept whole in only {kept}/{len(contexts)} texts with the full dictionary"))
    out = final
    TARGET.write_text(HEADER + "\n".join(out) + "\n", encoding="utf-8")
    print(f"kept {len(out)} words -> {TARGET.relative_to(ROOT)}")
    for word, why in rejected:
        print(f"  rejected {word}: {why}")


if __name__ == "__main__":
    main()
