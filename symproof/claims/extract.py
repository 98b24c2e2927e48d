"""Finding the claims of a written solution: display math in LaTeX or Markdown, with the line
each one starts on, split into links (``a = b = c`` is two claims; an ``align`` row ``&= c``
continues from the previous right-hand side), and the ``symproof`` directives in comments.

>>> doc = "text\\n$$Y_{1,i,j} = a = b$$\\n"
>>> [(c.line, c.lhs, c.rhs) for c in extract(doc)]
[(2, 'Y_{1,i,j}', 'a'), (2, 'a', 'b')]
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

__all__ = ["Claim", "Directive", "extract", "directives", "math_blocks", "code_spans",
           "split_top"]

_ENVIRONMENTS = ("equation", "equation*", "align", "align*", "gather", "gather*", "multline",
                 "multline*", "displaymath", "eqnarray", "eqnarray*")
_LONGEST_NAME = max(map(len, _ENVIRONMENTS))
# Relations a claim may state; ``=`` is split on, the others are kept whole.
_NOT_EQUALS = ("\\le", "\\ge", "\\ne", "\\neq", "\\leq", "\\geq", "<", ">", "\\approx")


@dataclass(frozen=True)
class Claim:
    """One link of a displayed chain: ``lhs = rhs`` (``rhs`` None for a bare expression)."""

    line: int
    latex: str
    lhs: str
    rhs: str | None
    #: Why the text at ``line`` is no claim that can be judged (a block never closed), or "".
    problem: str = ""
    #: The whole source line the claim stands on: the reason written beside it ("∵ σ is
    #: nondecreasing") is part of what is claimed.
    words: str = ""
    #: Written inline in prose ($b = 0$), not displayed: only read as a definition.
    inline: bool = False


@dataclass(frozen=True)
class Directive:
    """A ``symproof`` comment: ``%! symproof conv2d in_channels=1 …`` and the like."""

    line: int
    words: tuple[str, ...]


_NEWLINE = re.compile("\n")


class _Lines:
    """Line numbers of positions in one text, by bisection over its newlines: a document with
    many claims costs one pass, not one pass per claim."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [match.start() for match in _NEWLINE.finditer(text)]

    def of(self, position: int) -> int:
        return bisect.bisect_left(self.starts, position) + 1

    def words(self, line: int) -> str:
        """The text of line ``line`` (1-based), without its newline."""
        begin = self.starts[line - 2] + 1 if line > 1 else 0
        end = self.starts[line - 1] if line <= len(self.starts) else len(self.text)
        return self.text[begin:end]


def code_spans(text: str, markdown: bool = False) -> dict[int, int]:
    """Where code sits, as start → end positions: LaTeX ``verbatim``-like environments and
    ``\\verb``, Markdown fenced code blocks. Nothing inside is mathematics to check, a directive
    to obey, or a place for a note (it would be printed). One pass: an opener inside code is
    code, and an opener never closed runs to the end (so nothing after it is searched again).

    >>> text = "a\\n```\\n$$x = 1$$\\n```\\nb"
    >>> {text[s:e] for s, e in code_spans(text).items()}
    {'```\\n$$x = 1$$\\n```'}
    """
    spans = dict(_code_spans(text))
    if markdown:
        spans = _merged({**_markdown_code(text), **spans})
    return spans


def _merged(spans: dict[int, int]) -> dict[int, int]:
    """Spans in order, a span that starts inside an earlier one folded into it."""
    merged, reach, last = {}, -1, None
    for start in sorted(spans):
        if start >= reach:
            merged[start] = reach = spans[start]
            last = start
        elif spans[start] > reach:  # overlapping: extend the open one
            merged[last] = reach = spans[start]
    return merged


@functools.lru_cache(maxsize=4)
def _markdown_code(text: str) -> dict[int, int]:
    """Markdown's inline code (`` `…` ``) and indented code blocks (lines indented four spaces
    after a blank line, unless they continue a list item)."""
    spans = {m.start(): m.end() for m in _INLINE_CODE.finditer(text)}
    lines = text.split("\n")
    offset, previous, blank_before, block = 0, "", True, None
    for line in lines:
        indented = line.startswith(("    ", "\t")) and line.strip()
        if indented and block is None and blank_before and not _LIST_ITEM.match(previous):
            block = offset
        if block is not None and not indented and line.strip():
            spans[block] = offset - 1
            block = None
        if line.strip():
            previous = line if not indented else previous
        blank_before = not line.strip()
        offset += len(line) + 1
    if block is not None:
        spans[block] = len(text)
    return spans


_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)[^\n]+?(?<!`)\1(?!`)")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


@functools.lru_cache(maxsize=4)  # claims and directives both ask, for the same text
def _code_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans, position = [], 0
    while (match := _OPENER.search(text, position)) is not None:
        start = match.start()
        if match.group("env"):
            end = text.find(f"\\end{{{match.group('env')}}}", match.end())
            end = len(text) if end < 0 else end + len(match.group("env")) + 6
        elif match.group("verb"):
            line_end = text.find("\n", match.end())
            line_end = len(text) if line_end < 0 else line_end
            close = text.find(match.group("verb"), match.end(), line_end)
            end = close + 1 if close >= 0 else match.end()
        else:
            fence = match.group("fence")
            after = text.find("\n", match.end())
            closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$",
                                 re.M).search(text, after + 1) if after >= 0 else None
            end = closing.end() if closing else len(text)
        spans.append((start, end))
        position = max(end, match.end())
    return tuple(spans)


_OPENER = re.compile(
    r"\\begin\{(?P<env>verbatim\*?|Verbatim\*?|lstlisting|minted|comment|alltt)\}"
    r"|\\verb\*?(?P<verb>[^a-zA-Z\s*])"
    r"|^ {0,3}(?P<fence>`{3,}|~{3,})", re.M)


def _blocks(text: str, inline: bool, markdown: bool = False):
    """(start position, math source, end position, problem) of every display (and, with
    ``inline``, inline) block; the end is where its closing delimiter ends (a block never
    closed starts at its opener, and its source includes it). Code is skipped,
    and so are LaTeX comments (in Markdown, ``%`` in prose is a percent sign). A block never
    closed is still yielded, with ``problem`` saying so, and ends where a reader would see it
    end: at a blank line, a heading or the next display opener (:data:`_STOPS`); the blocks
    after it are read as usual. ``problem`` is "" for a well-formed block."""
    skip = code_spans(text, markdown)
    starts = sorted(skip)
    scan = text if markdown else _without_comments(text, skip, starts)
    openers = _OPENERS[inline]
    lines = None  # numbered only if a block is never closed
    position = 0
    while (match := openers.search(scan, position)) is not None:
        i = match.start("delimiter") if match.group("delimiter") else match.start()
        inside = bisect.bisect_right(starts, i) - 1
        if inside >= 0 and i < skip[starts[inside]]:
            position = max(skip[starts[inside]], i + 1)
            continue
        opener = match.group("delimiter") or match.group()
        if opener == "<!--":
            end = scan.find("-->", i)
            position = len(scan) if end < 0 else end + 3
            continue
        found = _closer(opener, match.group("env")).search(scan, match.end())
        if found is not None and found.group("close") is not None:
            end = found.start("end")
            if opener == "$" and end == match.end():
                position = match.end()  # "$$" is a display opener, seen on its own
                continue
            yield match.end(), _content(scan[match.end():end]), found.end(), ""
            position = found.end()
            continue
        stop = found.start() if found is not None else len(scan)
        lines = lines or _Lines(text)
        yield i, scan[i:stop], max(stop, match.end()), _never_closed(
            opener, match.group("env"), lines.of(i), lines.of(max(stop - 1, i)))
        position = max(stop, match.end())


def _never_closed(opener: str, env: str | None, first: int, last: int) -> str:
    """The one-line reason an unterminated block is reported with."""
    closer = _CLOSERS.get(opener) or f"\\end{{{env}}}"
    lines = f"line {first} is" if last <= first else f"lines {first}-{last} are"
    return (f"{opener} at line {first} is never closed: add {closer} ({lines} not checked "
            "until it is)")


# A delimiter counts unless escaped: after an even number of backslashes (so "\$" is a dollar
# sign, "\\[2pt]" a line break with its spacing, and "\\$$" a line break, then a closer).
_UNESCAPED = r"(?<!\\)(?:\\\\)*"
_ENV_NAMES = "|".join(re.escape(name) for name in _ENVIRONMENTS)
_OPENERS = {inline: re.compile(
    r"<!--|" + _UNESCAPED + r"(?P<delimiter>\$\$|\\\[" + (r"|\$" if inline else "") + ")"
    r"|\\begin\{(?P<env>" + _ENV_NAMES + r")\}") for inline in (False, True)}
_CLOSERS = {"$$": "$$", "\\[": "\\]", "$": "$"}
# What ends a block that is never closed: a blank line or a heading (neither LaTeX nor
# Markdown lets display math run across a paragraph), or the opener of another display.
# A $$ block may hold a whole environment (MathJax reads $$\begin{align}…\end{align}$$).
_BLANK_OR_HEADING = (r"\n[ \t\r\f\v]*(?:\n|$)|\n#{1,6}[ \t]"
                     r"|\\(?:part|chapter|section|subsection|subsubsection)\*?\{")
_STOPS = {"$$": _UNESCAPED + r"\\\[",
          "\\[": _UNESCAPED + r"(?:\$\$|\\\[)",
          "env": _UNESCAPED + r"(?:\$\$|\\\[)|\\begin\{(?:" + _ENV_NAMES + r")\}",
          # an inline $ never closed ends at a display opener too: $$, \[ or an environment
          "$": _UNESCAPED + r"\\\[|\\begin\{(?:" + _ENV_NAMES + r")\}"}


@functools.lru_cache(maxsize=32)
def _closer(opener: str, env: str | None) -> re.Pattern:
    """The first closer or stop after ``opener``: group ``close`` is set for a closer, and
    group ``end`` is where the block's mathematics ends."""
    if env is not None:
        close = "(?P<end>" + re.escape(f"\\end{{{env}}}") + ")"
    else:
        delimiter = {"$$": r"\$\$", "\\[": r"\\\]", "$": r"\$"}[opener]
        close = _UNESCAPED + f"(?P<end>{delimiter})"
    stops = "|".join(filter(None, (_BLANK_OR_HEADING, _STOPS["env" if env else opener])))
    return re.compile(f"(?P<close>{close})|{stops}")


def _content(source: str) -> str:
    """A block's mathematics: a whole environment inside ``$$`` unwrapped (its rows are the
    claims), TeX comments inside it blanked (MathJax reads ``%`` in math as one too)."""
    if "%" in source:
        source = _COMMENT.sub(_blank, source)
    inner = _WHOLE_ENV.fullmatch(source)
    if inner is not None:
        start, end = inner.span("body")
        source = " " * start + source[start:end] + " " * (len(source) - end)
    return source


_WHOLE_ENV = re.compile(r"\s*\\begin\{(?P<env>" + _ENV_NAMES + r")\}(?P<body>.*)"
                        r"\\end\{(?P=env)\}\s*", re.S)
# A TeX comment: % not escaped (after an even number of backslashes), to the end of the line.
_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")


def _blank(match: re.Match) -> str:
    """A comment as spaces, so that every position after it keeps its line."""
    return match.group(1) + " " * (match.end() - match.start() - len(match.group(1)))


def _without_comments(text: str, skip: dict[int, int], starts: list[int]) -> str:
    """``text`` with its LaTeX comments blanked, except inside code (``\\verb|%|``)."""
    if "%" not in text:
        return text

    def blank(match: re.Match) -> str:
        inside = bisect.bisect_right(starts, match.start()) - 1
        if inside >= 0 and match.start() < skip[starts[inside]]:
            return match.group()
        return _blank(match)

    return _COMMENT.sub(blank, text)


def split_top(source: str, separator: str) -> list[tuple[int, str]]:
    """Pieces of ``source`` between top-level ``separator``s, with their offsets.

    Depth counts ``{``/``}``, ``\\left``/``\\right`` and ``\\begin``/``\\end`` (whose own
    brace counts too); the regular expression visits only those tokens, so a long row costs
    one pass in C, not a Python step per character."""
    if separator not in source:  # most rows: no work at all
        return [(0, source)]
    pattern = _TOKENS.get(separator)
    if pattern is None:
        pattern = _TOKENS[separator] = re.compile(
            r"(\\left|\\begin(?=\{)|\{)|(\\right|\\end(?=\{)|\})|(" + re.escape(separator) + ")")
    parts, depth, start, position = [], 0, 0, 0
    while (match := pattern.search(source, position)) is not None:
        position = match.end()
        if match.group(1):
            depth += 1
        elif match.group(2):
            depth -= 1
        elif depth == 0:
            parts.append((start, source[start:match.start()]))
            start = position
        else:  # not a split here: a token may start inside the separator's text
            position = match.start() + 1
    parts.append((start, source[start:]))
    return parts


_TOKENS: dict[str, re.Pattern] = {}


def _links(row: str) -> list[str]:
    """``a = b = c`` → ``[a, b, c]`` (top-level ``=`` only, never inside ``\\le`` etc.)."""
    pieces = []
    for _, piece in split_top(row, "="):
        # ≤=, ≥= and != are one relation, not a split; but "3! = 6" is a factorial, then "="
        if pieces and (pieces[-1].rstrip().endswith(("\\le", "\\ge", "<", ">", "\\ne"))
                       or pieces[-1].endswith("!")):
            pieces[-1] += "=" + piece
        else:
            pieces.append(piece)
    return [p.strip() for p in pieces]


_WRAPPERS = ("\\begin{split}", "\\end{split}", "\\begin{aligned}", "\\end{aligned}",
             "\\begin{gathered}", "\\end{gathered}")
_SPACES = ("\\qquad", "\\quad", "\\,", "\\;", "\\ ", "~")


def _unwrap(block: str) -> str:
    """``block`` without its inner environments' wrappers, as spaces of the same length: every
    row keeps its offset, so its line (and the words beside it) are the row's own."""
    for wrapper in _WRAPPERS:
        block = block.replace(wrapper, " " * len(wrapper))
    return block


def _strip_spaces(text: str) -> str:
    # Two regular expressions, one from each end (the trailing one on the reversed text), so
    # that a row of a million "\," or "~" costs one pass in C. A "\ " or "\," that follows
    # a backslash belongs to a "\\" line break and stays.
    start = _LEADING.match(text).end()
    end = len(text) - _TRAILING.match(text[::-1]).end()
    return text[start:max(start, end)].rstrip(".,;").strip()


_LEADING = re.compile("(?:" + "|".join([r"\s", *(re.escape(s) for s in _SPACES)]) + ")*")
_TRAILING = re.compile("(?:" + "|".join(
    [r"\s", *(re.escape(s[::-1]) + (r"(?!\\)" if s.startswith("\\") else "")
               for s in _SPACES)]) + ")*")


def _clean(latex: str) -> str:
    """Strip layout and the prose around the mathematics: labels (:func:`_without_labels`),
    leading "therefore" words and ``\\text{…}``, trailing ``(\\because …)`` or
    ``\\text{(…)}`` annotations, a ``\\boxed{…}`` around the whole claim."""
    text = _strip_spaces(_ROW_SPACING.sub("", _without_alignment(_without_labels(latex))))
    for lead in ("\\therefore", "\\because", "\\Rightarrow", "\\implies"):
        if text.startswith(lead):
            text = _strip_spaces(text[len(lead):])
    if text.startswith("\\text{"):  # "\\text{Therefore } a = b"
        _, end = braced_group(text, 5)
        rest = _strip_spaces(text[end:])
        if not rest.startswith("="):  # "\\text{Area} = …" names the left side: kept
            text = rest
    for opener in ("(\\because", "\\text{("):
        cut = text.rfind(opener)
        if cut > 0 and text.rstrip().endswith((")", ")}")):
            text = _strip_spaces(text[:cut])
            if text.endswith("\\") and not text.endswith("\\\\"):
                text = _strip_spaces(text[:-1])  # the "\ " space before the annotation
    return _unboxed(text)


def _without_alignment(row: str) -> str:
    """``row`` without its alignment marks ``&``; the ``&`` between a matrix's entries
    (inside ``\\begin{bmatrix}…``) stay: they separate its columns."""
    if "&" not in row:
        return row
    return " ".join(piece for _, piece in split_top(row, "&"))


def _unboxed(text: str) -> str:
    """``\\boxed{a = b}`` → ``a = b``: the box marks a result, the claim is what it holds
    (a box around one side, ``a = \\boxed{b}``, is read by the parser)."""
    while text.startswith("\\boxed{"):
        body, end = braced_group(text, len("\\boxed"))
        if text[end:].strip():
            break
        text = _strip_spaces(body)
    return text


def _without_labels(row: str) -> str:
    """``row`` without what labels an equation rather than states it: ``\\tag{…}``,
    ``\\tag*{…}`` (a step's number, reason and status mark), ``\\notag``, ``\\nonumber``,
    ``\\intertext{…}`` and ``\\shortintertext{…}`` (words between rows), ``\\phantom{…}``
    (space), a status mark at the end (``\\checkmark``, ``\\square``), and a last column
    of words after ``&&`` (``&&\\text{(2)}\\;\\text{why}\\;\\checkmark``, the tag of an
    ``aligned`` block, which has no ``\\tag``)."""
    if "\\" not in row and "&&" not in row:
        return row
    for match in reversed(list(_LABEL.finditer(row))):
        _, end = braced_group(row, match.end() - 1)
        row = row[:match.start()] + " " + row[end:]
    row = _BARE_LABEL.sub(" ", row)
    # a column that states a condition ("&& \text{if } a \geq 0", "&& \alpha = \beta") is
    # the claim's condition, kept as words beside it would be: never dropped (the claim would
    # be judged, or a definition recorded, for every value) nor read as a factor ("1 α")
    if "&&" in row:
        before, _, column = row.rpartition("&&")
        if _CONDITION_COLUMN.match(column):
            row = f"{before} \\quad {column.strip()}"
        elif bare_condition(column, before):
            row = f"{before} \\quad \\text{{if }} {column.strip()}"
    row = _ANNOTATION_COLUMN.sub(" ", row)
    return _TRAILING_MARK.sub("", row)


# The words that open a condition ("\text{if } …") and the text command around them: one
# vocabulary for a condition column, a condition beside a claim and one beside a definition.
CONDITION_WORDS = "if|for|when|where|whenever|provided|unless|assuming"
TEXT_OPENING = r"\\(?:text|mathrm|textrm|mbox)\s*\{\s*"
_CONDITION_COLUMN = re.compile(rf"\s*{TEXT_OPENING}(?:{CONDITION_WORDS}|only if)\b")
_BARE_RELATION = re.compile(r"=|\\neq?(?![A-Za-z])|\\[gl]eq?(?![A-Za-z])|[<>]|\\in(?![A-Za-z])")
_BARE_SIDE = re.compile(r"\\[A-Za-z]+|[A-Za-z]|[0-9]+")


def bare_condition(column: str, before: str) -> bool:
    """Whether ``column`` (after ``&&``) is a condition on the claim before it: a relation
    between single names and numbers, every name one the claim writes (``w_{1,1,\\alpha,\\beta}
    &= 1 && \\alpha = \\beta``), not a claim of its own (``x &= 2 && y &= 3``)."""
    sides = [side.replace("&", "").strip() for side in _BARE_RELATION.split(column)]
    if len(sides) < 2 or not all(_BARE_SIDE.fullmatch(side) for side in sides):
        return False
    names = [side for side in sides if not side.isdigit()]
    return bool(names) and all(name in before for name in names)


# Commands whose braced argument is a label, words or space, never part of the claim.
_LABEL = re.compile(r"\\(?:tag\*?|intertext|shortintertext|[hv]?phantom|label)\s*\{")
_BARE_LABEL = re.compile(r"\\(?:notag|nonumber)(?![A-Za-z])")
# "&&" then words, a parenthesis or a mark to the end of the row: a column of reasons.
_ANNOTATION_COLUMN = re.compile(
    r"&&\s*(?=\\text\s*\{|\\checkmark|\\because|\\quad|\\qquad|\()[^&]*$", re.S)
_TRAILING_MARK = re.compile(r"(?:\\quad|\\qquad|\s)*\\(?:checkmark|square|blacksquare|qed)"
                            r"(?![A-Za-z])\s*$")


# The extra spacing of a row break, "\\\\[3pt]": what is left of it at the start of the next row.
_ROW_SPACING = re.compile(r"^\s*\[\s*-?[0-9.]+\s*(?:pt|em|ex|mm|cm|in|mu|bp|pc|dd|sp)\s*\]")


def braced_group(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces opening at ``start`` and the index after their closing one
    (the rest of the text when they never close)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    return text[start + 1:], len(text)


_CONDITION = re.compile(rf"\s*(?:{TEXT_OPENING})?(?:{CONDITION_WORDS}|with)\b")


def _parenthesised(piece: str) -> bool:
    """Whether ``piece`` is one parenthesis, ``(b = 0)`` (a note on the claim before it, or in
    its chain: ``(\\delta_{ij}: \\text{…}) = …``), not a claim that opens with one,
    ``(a+b)^2 = …``."""
    text = piece.strip().rstrip(".,;")
    if not text.startswith("("):
        return False
    depth = 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:  # a note alone, or a note in the chain: "… \\quad (note) = …"
            return text[at + 1:].lstrip().startswith("=") or at == len(text) - 1
    return True  # never closed: not a claim either


def _claims_in_row(row: str) -> list[tuple[int, str]]:
    """Claims written side by side, ``a = 1, \\quad b = 2``, separated."""
    pieces = []
    for start, part in _side_by_side(row):
        for offset, piece in _claims_in_part(part):
            pieces.append((start + offset, piece))
    return pieces


def _side_by_side(row: str) -> list[tuple[int, str]]:
    """``a &= b && c &= d`` (align's columns of equations, side by side) as two pieces: a
    column after ``&&`` that states its own relation, after one that states one too, is a
    claim of its own (read as one row it was ``a = b c = d``); a column of words, marks, a
    parenthesis or a condition (``&&\\text{(2)} …``, ``&& (x > 0)``) stays with the claim
    before it."""
    parts = split_top(row, "&&")
    if len(parts) == 1:
        return parts
    out: list[tuple[int, str]] = []
    for offset, part in parts:
        words = _ANNOTATION_START.match(part) or _CONDITION.match(part) or (
            out and bare_condition(part, out[-1][1]))
        if out and not words and len(_links(_clean(part))) > 1 \
                and len(_links(_clean(out[-1][1]))) > 1:
            out.append((offset, part))
        elif out:
            start, _ = out[-1]
            out[-1] = (start, row[start:offset + len(part)])
        else:
            out.append((offset, part))
    return out


_ANNOTATION_START = re.compile(r"\s*(?:\\(?:text(?:rm|it|bf)?|mathrm|mbox)\s*\{|\\checkmark"
                               r"|\\because|\\q?quad|\(|$)")


def _claims_in_part(row: str) -> list[tuple[int, str]]:
    pieces = []
    # \qquad separates as \quad does (same length: every offset kept); a piece that states a
    # condition ("\quad \text{if } ab = 0") belongs to the claim before it, never a claim
    for offset, piece in split_top(row.replace("\\qquad", "\\quad "), "\\quad"):
        if pieces and (piece.strip().startswith(("\\text{(", "\\because", "(\\because"))
                       or _parenthesised(piece) or _CONDITION.match(piece)):
            start, before = pieces[-1]
            pieces[-1] = (start, before + "\\quad" + piece)  # an annotation, not a claim
        else:
            pieces.append((offset, piece))
    return pieces


def extract(text: str, inline: bool = False, markdown: bool = False) -> list[Claim]:
    """Every claim of ``text`` (LaTeX or Markdown), in order, with its source line."""
    claims: list[Claim] = []
    lines = _Lines(text)
    last: tuple[int, str | None] = (-1, None)  # where the previous block ended, its last side
    for start, raw, end, problem in _blocks(text, inline, markdown):
        if problem:
            claims.append(_unclosed(lines, start, raw, problem))
            last = (-1, None)
            continue
        block = _unwrap(raw)  # same length as raw: offsets in it are offsets in raw
        # a display that opens with "=" right after another display continues its chain
        # ($$Y = …$$ then $$= …$$ on the next line): its first link starts from that side
        between = _CONTINUES_MD if markdown else _CONTINUES
        previous = last[1] if last[0] >= 0 and between.fullmatch(text, last[0], start) \
            else None
        rows = [(offset, piece) for offset, row in split_top(block, "\\\\")
                for offset_, piece in _claims_in_row(row) for offset in [offset + offset_]]
        # each row with its first and last line: a tag or reason may stand on its last line
        # (a row broken across lines, "…\n \tag*{k ∣ m …}"): the words beside it are all its lines'
        numbered = [(lines.of(start + min(offset, len(raw)) + len(row) - len(row.lstrip())),
                     lines.of(start + min(offset + max(len(row.rstrip()) - 1, 0), len(raw))),
                     row) for offset, row in rows]
        for line, through, source in _joined_rows(numbered):
            said = "\n".join(lines.words(n) for n in range(line, max(line, through) + 1))
            links = _links(source)
            if links and links[0] == "" and previous is not None:
                links[0] = previous  # an align row "&= c" continues the chain
            if len(links) == 1:
                claims.append(Claim(line, source, links[0], None, words=said))
                previous = links[0]
                continue
            for at, (left, right) in enumerate(zip(links, links[1:])):
                if left == "":  # "= c" with no side before it: said, never skipped
                    if at == 0:  # (an empty side further on: its link before says so)
                        claims.append(Claim(line, source, "", None, _NOTHING_BEFORE,
                                            words=said))
                    continue
                claims.append(Claim(line, f"{left} = {right}", left, right,
                                    words=said))
            previous = links[-1]
        last = (end, previous)
    return claims


def _joined_rows(rows: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """(line, last line, cleaned source) of each (line, last line, row) of a block, empty rows
    left out, and a row that opens with a binary operator and states no relation
    (``&\\quad + \\sum …``, a long right-hand side broken across lines) joined to the row
    before it (its last line then the joined row's): it goes on with that row's last side, it
    is no claim of its own (read alone, the row before it would claim ``Y = b_l``)."""
    joined: list[tuple[int, int, str]] = []
    for line, through, row in rows:
        source = _clean(row)
        if not source:
            continue
        if joined and _CONTINUATION.match(source) and len(_links(source)) == 1 \
                and not _RELATION.search(source):  # "-a &= -1" is a claim of its own
            first, _, before = joined[-1]
            joined[-1] = (first, through, f"{before} {source}")
        else:
            joined.append((line, through, source))
    return joined


# A row that starts with an operator between terms goes on with the row before it.
_CONTINUATION = re.compile(r"(?:[+\-]|\\(?:cdot|times|pm|mp)(?![A-Za-z]))")
_RELATION = re.compile(r"\\(?:leq?|geq?|neq?|approx)(?![A-Za-z])|[<>]")

_NOTHING_BEFORE = ("this link opens with '=' but no display right before it gives its left "
                   "side (text or a directive stands between): write the left side")

# Between two displays of one chain: blank space, comments (symproof's own notes among them:
# an annotated copy is read as the original) but no directive, and the second display's opener
_OPENER_AFTER = r"(?:\$\$|\\\[|\\begin\{[A-Za-z]+\*?\})?\s*"
_CONTINUES = re.compile(r"\s*(?:%(?!!\s*symproof)[^\n]*\s*)*" + _OPENER_AFTER)
_CONTINUES_MD = re.compile(r"\s*(?:<!--(?!\s*symproof(?!:))(?:(?!-->).)*-->\s*)*" + _OPENER_AFTER,
                           re.DOTALL)


def _unclosed(lines: _Lines, start: int, raw: str, problem: str) -> Claim:
    """The claim reported for a block never closed (``raw`` from its opener on): its line,
    and its first words as the text the report shows."""
    shown = " ".join(raw.split())
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    return Claim(lines.of(start), shown, "", None, problem)


def math_blocks(text: str, inline: bool = False,
                markdown: bool = False) -> list[tuple[int, int]]:
    """(first line, last line) of every math block, in order: where a note about one of its
    claims may go without breaking the block.

    >>> math_blocks("a\\n$$x\\n= y$$ b\\nc $$z$$\\n")
    [(2, 3), (4, 4)]
    """
    lines = _Lines(text)
    return [(lines.of(start), lines.of(max(end - 1, start)))
            for start, _, end, _ in _blocks(text, inline, markdown)]


def directives(text: str, markdown: bool = False) -> list[Directive]:
    """``%! symproof …`` (LaTeX) and ``<!-- symproof … -->`` (Markdown) comments, in order."""
    found = []
    spans = sorted(code_spans(text, markdown).items())  # disjoint: one bisection per line
    starts = [start for start, _ in spans]
    offset = 0
    for number, raw in enumerate(text.split("\n"), 1):  # "\n" only, as claims count lines
        at = bisect.bisect_right(starts, offset) - 1
        inside = at >= 0 and offset < spans[at][1]
        offset += len(raw) + 1
        if inside:
            continue
        line = raw.strip()
        body = None
        if line.startswith("%! symproof"):
            body = line[len("%! symproof"):]
        elif line.startswith("<!--") and line.endswith("-->") and "symproof" in line:
            inner = line[4:-3].strip()
            # "symproof: …" is a note an annotated copy carries, not a directive
            if inner.startswith("symproof") and not inner.startswith("symproof:"):
                body = inner[len("symproof"):]
        if body is not None:  # an empty one too: the context reports it, never skips it
            found.append(Directive(number, tuple(body.split())))
    return found
