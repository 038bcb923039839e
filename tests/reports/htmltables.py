"""Read the NHS tables of a page back as {caption: [[cell text, ...], ...]} (body rows only)."""
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._caption, self._rows, self._cell, self._in_caption = {}, None, None, None, False
        self._hidden_depth = 0
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = attrs.get("aria-hidden") == "true"
        self._stack.append(hidden)
        if hidden:
            self._hidden_depth += 1
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag == "td" and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if self._stack and self._stack.pop():
            self._hidden_depth -= 1
        if tag == "caption":
            self._in_caption = False
        elif tag == "td" and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption.strip()] = [r for r in self._rows if r]
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None and not self._hidden_depth:
            self._cell += data


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables
