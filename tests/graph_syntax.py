"""Syntax checks for the graph writers' output, written here so the tests need no new dependency.

`parse_mermaid` accepts exactly the `flowchart` subset `_render_graph` emits, with Mermaid's own
rules for it (identifiers, `"..."` labels with entity codes and `<br/>` only, `subgraph`/`end`
balance, edges between declared nodes, `classDef`/`class`). `parse_dot` is a recursive-descent
parser of Graphviz's DOT grammar (graph, stmt_list, node/edge/attr statements, `ID = ID`,
subgraphs, attribute lists; IDs as names, numerals and quoted strings), without ports or HTML
strings, which the writer never emits. Both raise `SyntaxError` naming the offending line or
token, and return what they read so tests can compare it with the recipe.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

_ID = r"[A-Za-z][A-Za-z0-9_]*"
#: A label: no raw quote, `#` only in an entity, `<` only in `<br/>`, no `>`, `&`, backtick or pipe.
_LABEL = r'"(?:[^"#<>&`|\n]|#(?:quot|amp|lt|gt|\d+);|<br/>)*"'
_MERMAID_RESERVED = {"end", "subgraph", "graph", "flowchart", "class", "classdef", "style", "click", "direction"}
_ENTITIES = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}


@dataclass
class Mermaid:
    """What a flowchart declares: node labels (lines decoded), edges, subgraph members, classes."""

    nodes: dict[str, list[str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, str]] = field(default_factory=list)  # (source, arrow, label, target)
    subgraphs: dict[str, list[str]] = field(default_factory=dict)
    subgraph_titles: dict[str, str] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)


def _decode_mermaid(label: str) -> list[str]:
    def entity(match: re.Match[str]) -> str:
        code = match.group(1)
        return _ENTITIES[code] if code in _ENTITIES else chr(int(code))

    return [re.sub(r"#(quot|amp|lt|gt|\d+);", entity, line) for line in label[1:-1].split("<br/>")]


def parse_mermaid(text: str) -> Mermaid:
    """Parse the emitted flowchart subset, or raise `SyntaxError`."""
    lines = text.split("\n")
    if lines[-1] != "" or lines[0] != "flowchart TB":
        raise SyntaxError("a flowchart starts with `flowchart TB` and ends with a newline")
    graph = Mermaid()
    stack: list[str] = []
    defined_classes: set[str] = set()
    patterns = {
        "subgraph": re.compile(rf"subgraph ({_ID})\[({_LABEL})\]"),
        "direction": re.compile(r"direction (TB|BT|LR|RL)"),
        "end": re.compile(r"end"),
        "node": re.compile(rf"({_ID})\[({_LABEL})\]"),
        "edge": re.compile(rf"({_ID}) (-->|-\.->)(?:\|([A-Za-z0-9 .-]+)\|)? ({_ID})"),
        "classDef": re.compile(r"classDef ([a-z]+) ([a-z-]+:[#A-Za-z0-9. -]+(?:,[a-z-]+:[#A-Za-z0-9. -]+)*)"),
        "class": re.compile(rf"class ({_ID}(?:,{_ID})*) ([a-z]+)"),
    }
    for number, raw in enumerate(lines[1:-1], start=2):
        line = raw.strip()
        kind, match = next(
            ((kind, match) for kind, pattern in patterns.items() if (match := pattern.fullmatch(line))), ("", None)
        )
        if match is None:
            raise SyntaxError(f"line {number}: not flowchart syntax: {raw!r}")
        if kind == "subgraph":
            identifier = match.group(1)
            _fresh(identifier, graph, number)
            graph.subgraphs[identifier] = []
            graph.subgraph_titles[identifier] = _decode_mermaid(match.group(2))[0]
            stack.append(identifier)
        elif kind == "direction":
            if not stack:
                raise SyntaxError(f"line {number}: direction outside a subgraph")
        elif kind == "end":
            if not stack:
                raise SyntaxError(f"line {number}: `end` without a subgraph")
            stack.pop()
        elif kind == "node":
            identifier = match.group(1)
            _fresh(identifier, graph, number)
            graph.nodes[identifier] = _decode_mermaid(match.group(2))
            if stack:
                graph.subgraphs[stack[-1]].append(identifier)
        elif kind == "edge":
            source, arrow, label, target = match.groups()
            for end in (source, target):
                if end not in graph.nodes:
                    raise SyntaxError(f"line {number}: edge names undeclared node {end}")
            graph.edges.append((source, arrow, label or "", target))
        elif kind == "classDef":
            defined_classes.add(match.group(1))
        else:
            members, name = match.group(1).split(","), match.group(2)
            if name not in defined_classes:
                raise SyntaxError(f"line {number}: class {name} used before its classDef")
            for member in members:
                if member not in graph.nodes:
                    raise SyntaxError(f"line {number}: class applied to undeclared node {member}")
            graph.classes.setdefault(name, []).extend(members)
    if stack:
        raise SyntaxError(f"subgraph {stack[-1]} is never closed with `end`")
    return graph


def _fresh(identifier: str, graph: Mermaid, number: int) -> None:
    if identifier.lower() in _MERMAID_RESERVED:
        raise SyntaxError(f"line {number}: {identifier} is a Mermaid keyword")
    if identifier in graph.nodes or identifier in graph.subgraphs:
        raise SyntaxError(f"line {number}: {identifier} declared twice")


@dataclass
class Dot:
    """What a digraph declares: node attributes, edges with attributes, cluster members."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    clusters: dict[str, list[str]] = field(default_factory=dict)
    cluster_labels: dict[str, str] = field(default_factory=dict)


_DOT_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<arrow>->|--)
      | (?P<punct>[{}\[\];=,:])
      | (?P<name>[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)
      | (?P<numeral>-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
    )""",
    re.VERBOSE,
)
_DOT_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _DOT_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SyntaxError(f"DOT: unexpected character at offset {position}: {text[position : position + 20]!r}")
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        if kind == "name" and value.lower() in _DOT_KEYWORDS:
            kind = "keyword"
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _unquote(token: tuple[str, str]) -> str:
    """The ID's text; a quoted string keeps its escapes (see `dot_label_lines`)."""
    kind, value = token
    return value[1:-1] if kind == "string" else value


class _DotParser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.graph = Dot()
        self.cluster: list[str] = []

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else ("eof", "")

    def take(self, kind: str, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1].lower() != value):
            raise SyntaxError(f"DOT: expected {value or kind} at token {self.index}, got {token[1]!r}")
        self.index += 1
        return token

    def is_id(self, offset: int = 0) -> bool:
        return self.peek(offset)[0] in ("string", "name", "numeral")

    def take_id(self) -> str:
        if not self.is_id():
            raise SyntaxError(f"DOT: expected an ID at token {self.index}, got {self.peek()[1]!r}")
        token = self.peek()
        self.index += 1
        return _unquote(token)

    def parse(self) -> Dot:
        if self.peek() == ("keyword", "strict"):
            self.index += 1
        self.take("keyword", "digraph")
        if self.is_id():
            self.take_id()
        self.take("punct", "{")
        self.stmt_list()
        self.take("punct", "}")
        if self.peek()[0] != "eof":
            raise SyntaxError("DOT: text after the graph")
        return self.graph

    def stmt_list(self) -> None:
        while self.peek() != ("punct", "}"):
            if self.peek()[0] == "eof":
                raise SyntaxError("DOT: unclosed `{`")
            self.stmt()
            if self.peek() == ("punct", ";"):
                self.index += 1

    def stmt(self) -> None:
        token = self.peek()
        if token[0] == "keyword" and token[1].lower() in ("graph", "node", "edge"):
            self.index += 1
            self.attr_list()
            return
        if self.is_id() and self.peek(1) == ("punct", "="):
            key = self.take_id()
            self.index += 1
            value = self.take_id()
            if key == "label" and self.cluster:
                self.graph.cluster_labels[self.cluster[-1]] = value
            return
        if token in (("keyword", "subgraph"), ("punct", "{")):
            self.subgraph()
            return
        source = self.take_id()
        if self.peek()[0] == "arrow":
            self.edge(source)
            return
        if source in self.graph.nodes:
            raise SyntaxError(f"DOT: node {source} declared twice")
        self.graph.nodes[source] = self.attr_list() if self.peek() == ("punct", "[") else {}
        if self.cluster:
            self.graph.clusters[self.cluster[-1]].append(source)

    def edge(self, source: str) -> None:
        ends = [source]
        while self.peek()[0] == "arrow":
            if self.take("arrow")[1] != "->":
                raise SyntaxError("DOT: `--` in a digraph")
            ends.append(self.take_id())
        attributes = self.attr_list() if self.peek() == ("punct", "[") else {}
        for end in ends:
            if end not in self.graph.nodes:
                raise SyntaxError(f"DOT: edge names undeclared node {end}")
        self.graph.edges += [(a, b, attributes) for a, b in itertools.pairwise(ends)]

    def subgraph(self) -> None:
        name = ""
        if self.peek() == ("keyword", "subgraph"):
            self.index += 1
            if self.is_id():
                name = self.take_id()
        self.graph.clusters[name] = []
        self.cluster.append(name)
        self.take("punct", "{")
        self.stmt_list()
        self.take("punct", "}")
        self.cluster.pop()

    def attr_list(self) -> dict[str, str]:
        """One or more `[a = b, ...]` lists."""
        attributes: dict[str, str] = {}
        self.take("punct", "[")
        while True:
            while self.peek() != ("punct", "]"):
                key = self.take_id()
                self.take("punct", "=")
                attributes[key] = self.take_id()
                if self.peek() in (("punct", ","), ("punct", ";")):
                    self.index += 1
            self.take("punct", "]")
            if self.peek() != ("punct", "["):
                return attributes
            self.index += 1


def parse_dot(text: str) -> Dot:
    """Parse a DOT digraph, or raise `SyntaxError`."""
    return _DotParser(text).parse()


def dot_label_lines(label: str) -> list[str]:
    """A quoted label's lines, escapes decoded: `\\\\` and `\\"` are characters, `\\n` ends a line."""
    lines = [""]
    chars = iter(label)
    for char in chars:
        if char != "\\":
            lines[-1] += char
            continue
        escaped = next(chars, "")
        if escaped in ("n", "l", "r"):
            lines.append("")
        elif escaped in ('"', "\\"):
            lines[-1] += escaped
        else:
            raise SyntaxError(f"DOT: unexpected escape \\{escaped} in a label")
    return lines
