"""The Indonesian analyzer: the one place where text becomes search terms.

Documents and queries go through the same steps, so "pengrajin", "kerajinan" and
"rajin" meet in the index:

1. words: runs of letters and digits (an apostrophe inside a word is kept, so
   "Syafi'iyah" and "Qur'an" stay one word); everything else (punctuation, emoji,
   control characters, query syntax such as ``*`` ``:`` ``"``) separates words;
2. lower-casing and accent folding ("Café" -> "cafe"), apostrophes dropped;
3. Indonesian stop words (and the few English ones a shopper might type, including
   ``and``/``or``/``not``, which are words here, never operators) are dropped;
4. stemming with PySastrawi, except for place names (Sastrawi reads "Kediri" as
   ke+diri and "Bangkalan" as bangkal+an).

Stems are cached by a module-level function: the Whoosh analyzer object is pickled
into the index schema, and a stemmer (with its 30,000-word dictionary) kept on it
would be pickled too. Changing anything here changes the terms: bump
``ANALYZER_VERSION`` so that ``flask search reindex --if-missing`` rebuilds.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer

ANALYZER_VERSION = 1

# A word: letters/digits, optionally joined by apostrophes (Qur'an, Syafi'iyah).
WORD_RE = re.compile(r"[^\W_]+(?:['’`][^\W_]+)*")
_APOSTROPHES = re.compile(r"['’`]")
MAX_WORD_LENGTH = 40

# Function words only: a content word wrongly listed here could never be found.
STOP_WORDS = frozenset(
    """
    ada adalah agar akan aku anda antara apa apakah atau bagi bahwa banyak belum
    beberapa begitu bila boleh bukan cara dalam dan dapat dari daripada demi dengan di
    dia dll dsb hal hanya harus hingga ia ini itu jadi jika juga kalau kami kamu karena
    ke kepada ketika kita lagi lain lalu maka mana masih meng mereka mulai namun oleh
    pada para per pula saat saja sambil sampai sangat saya secara sedang sehingga sejak
    semua seperti serta setelah sudah supaya tanpa tapi telah tentang tetapi untuk yaitu
    yakni yang
    a an and are as at be by for from in is it not of on or the to with
    """.split()
)


@lru_cache(maxsize=1)
def protected_words() -> frozenset[str]:
    """Place names, which Sastrawi would cut into a prefix and a "root"."""
    from ..regions.reference import region_rows

    words: set[str] = set()
    for row in region_rows():
        words.update(fold(w) for w in WORD_RE.findall(row["name"]))
    return frozenset(words)


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: accents removed, apostrophes dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", stripped.casefold())


_stemmer = None
_stemmer_lock = threading.Lock()


def _sastrawi():
    # The uncached Stemmer: Sastrawi's CachedStemmer keeps every word it ever saw
    # (a worker reading shoppers' queries would grow without bound); ``stem`` below
    # has a bounded cache instead.
    global _stemmer
    if _stemmer is None:
        with _stemmer_lock:
            if _stemmer is None:
                from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
                from Sastrawi.Stemmer.Stemmer import Stemmer
                from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

                words = StemmerFactory().get_words_from_file()
                _stemmer = Stemmer(ArrayDictionary(words))
    return _stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Sastrawi stem of one folded word (place names and non-words unchanged)."""
    if len(word) < 4 or not word.isalpha() or not word.isascii() or word in protected_words():
        return word
    return _sastrawi().stem_word(word) or word


@lru_cache(maxsize=200_000)
def term(raw_word: str) -> str | None:
    """The index term of a word as it appears in a text, or None for a stop word."""
    word = fold(raw_word)
    if not word or len(word) > MAX_WORD_LENGTH or word in STOP_WORDS:
        return None
    if len(word) == 1 and not word.isdigit():
        return None
    return stem(word)


@lru_cache(maxsize=200_000)
def surface(raw_word: str) -> str | None:
    """A word folded but not stemmed (what "did you mean" offers), None for stop words."""
    word = fold(raw_word)
    if (not word or len(word) > MAX_WORD_LENGTH or word in STOP_WORDS
            or (len(word) == 1 and not word.isdigit())):
        return None
    return word


def analyze(text: str) -> list[str]:
    """The terms of a text, in order, repeats kept."""
    out = []
    for raw in WORD_RE.findall(text):
        t = term(raw)
        if t is not None:
            out.append(t)
    return out


def surface_words(text: str) -> list[str]:
    """The folded, unstemmed words of a text, stop words dropped."""
    out = []
    for raw in WORD_RE.findall(text):
        w = surface(raw)
        if w is not None:
            out.append(w)
    return out


def term_set(text: str) -> set[str]:
    """The distinct terms of a text (what an index records for it)."""
    out = {term(raw) for raw in WORD_RE.findall(text)}
    out.discard(None)
    return out


def surface_set(text: str) -> set[str]:
    out = {surface(raw) for raw in WORD_RE.findall(text)}
    out.discard(None)
    return out


class IndonesianAnalyzer(Tokenizer):
    """The analyzer above as a Whoosh tokenizer (indexing and highlighting).

    It holds no state, so the pickled schema stays a few bytes; character offsets
    point into the original text, so the highlighter marks what the shopper reads.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in WORD_RE.finditer(value):
            text = term(match.group())
            if text is None:
                if removestops:
                    continue
                text = fold(match.group())
                token.stopped = True
            else:
                token.stopped = False
            token.text = text
            token.boost = 1.0
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token
