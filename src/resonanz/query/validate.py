"""Check a query without running it, for editors that show syntax errors while typing."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from resonanz.errors import QuerySyntaxError
from resonanz.query.parser import parse


@dataclass(frozen=True)
class QueryProblem:
    """Why a query does not parse: the message, where (0-based) and what was expected."""

    message: str
    position: int
    expected: str
    line: int  # 1-based line of ``position``
    column: int  # 0-based column of ``position`` in that line

    def to_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-serialisable dict."""
        return asdict(self)


def validate(query: str) -> QueryProblem | None:
    """Return None when ``query`` parses, else the problem.

    >>> validate("bahn AND").expected
    "a term or '('"
    """
    try:
        parse(query)
    except QuerySyntaxError as exc:
        line_start = query.rfind("\n", 0, exc.position) + 1
        return QueryProblem(
            message=str(exc),
            position=exc.position,
            expected=exc.expected,
            line=query.count("\n", 0, exc.position) + 1,
            column=exc.position - line_start,
        )
    return None


def caret(query: str, position: int) -> str:
    """Return the query line holding ``position`` with a ``^`` under that position."""
    start = query.rfind("\n", 0, position) + 1
    end = query.find("\n", position)
    line = query[start : end if end >= 0 else len(query)]
    # tabs keep their width so that the caret stays under the character
    pad = "".join("\t" if char == "\t" else " " for char in line[: position - start])
    return f"{line}\n{pad}^"
