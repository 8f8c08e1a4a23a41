"""From Dutch text to search tokens: lowercase, accents folded, stop words dropped, Dutch
Snowball stemming ("inbraken" and "inbraak" give the same token). Postcodes and addresses get
tokens of their own, so "7591 AB 12" finds the reports at that address.

The same functions make the tokens of a record and of a query, so both meet."""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# The Snowball project's Dutch stop-word list.
STOP_WORDS = frozenset(
    """de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er
    maar om hem dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der
    daar haar naar heb hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets
    worden toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder ja eens
    hier wie werd altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets uw
    iemand geweest andere""".split()
)
# A word longer than this is cut (nobody types it; it keeps a pasted blob from making tokens).
MAX_WORD = 40
POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-z]{2})\b(?:\s+(\d{1,5})\s*([a-z0-9]{0,4})\b)?")

_stemmer = snowballstemmer.stemmer("dutch")


def fold(text: str) -> str:
    """Lowercase, without accents (café -> cafe, ë -> e)."""
    if not text or text.isascii():
        return (text or "").lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def plain_words(text: str) -> list[str]:
    """The folded words of `text` (letters and digits), stop words included."""
    return [w[:MAX_WORD] for w in re.findall(r"[a-z0-9]+", fold(text))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a word; a word with a digit in it (a number, a house number with
    its addition, a date) is kept as it is."""
    if not word.isalpha():
        return word
    return _stemmer.stemWord(word)


def word_tokens(text: str) -> list[str]:
    """Stemmed words of `text` without stop words, in order, duplicates kept."""
    # A number of 8 or 9 digits may be a BSN: never a searchable word (a subject check finds
    # a BSN, hit / no-hit only).
    return [
        stem(w)
        for w in plain_words(text)
        if w not in STOP_WORDS and not (w.isdigit() and len(w) in (8, 9))
    ]


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> tuple[str, ...]:
    """word_tokens of a short name that many records share (a category, theme or area)."""
    return tuple(word_tokens(name))


def _code(postcode: str) -> str:
    return re.sub(r"\s", "", fold(postcode))


def postcode_token(postcode: str) -> str:
    return "pc:" + _code(postcode)


def address_token(postcode: str, number, addition: str = "") -> str:
    return f"adr:{_code(postcode)}|{number}|{fold(addition).strip()}"


def address_tokens(postcode: str, number, addition: str = "") -> list[str]:
    """A record's address tokens: its postcode, and postcode with house number (with and
    without the addition, so "7591AB 12" finds 12a too)."""
    if not postcode:
        return []
    out = [postcode_token(postcode)]
    if number:
        out.append(address_token(postcode, number))
        if addition:
            out.append(address_token(postcode, number, addition))
    return out


def query_tokens(text: str) -> list[str]:
    """The tokens a query must all find: its postcodes (with house number when typed right
    after one) and its stemmed words, without duplicates."""
    folded = fold(text)
    tokens = []
    for match in POSTCODE.finditer(folded):
        code = match.group(1) + match.group(2)
        number, addition = match.group(3), match.group(4) or ""
        tokens.append(address_token(code, number, addition) if number else postcode_token(code))
    rest = POSTCODE.sub(" ", folded)
    tokens += word_tokens(rest)
    return list(dict.fromkeys(tokens))
