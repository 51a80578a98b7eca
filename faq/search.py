"""The FAQ's public search: per-language plain text, case-folded once on save.

The column holds the question and the answer as plain text (no markup to match), case-
folded with ``str.casefold`` so that the query is a plain ``LIKE '%word%'`` on the
column: no ``UPPER()`` of every row at query time, and on PostgreSQL a trigram index
(``pg_trgm``, migration faq/0004) answers it without reading every row.
"""

from __future__ import annotations

from richtext import plain_text, sanitize


def search_text(question: str | None, answer: str | None) -> str:
    # The answer as it will be stored and shown: sanitized first (FAQItem.save runs
    # before the field sanitizes), so a script's text is never searchable.
    parts = [plain_text(question), plain_text(sanitize(answer))]
    return " ".join(part for part in parts if part).casefold()


def search_words(query: str) -> list[str]:
    return query.casefold().split()
