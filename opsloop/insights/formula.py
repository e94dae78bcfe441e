"""Formulas between a trend's series: A for the first, B for the second, ..., with numbers,
+ - * / and parentheses, e.g. `B / A * 100` for a conversion rate in percent. Parsed with
Python's own parser and walked by hand: nothing is evaluated but these few nodes."""

from __future__ import annotations

import ast
import operator
import string
from collections.abc import Callable

_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def check_formula(text: str) -> ast.expr:
    """The parsed formula; ValueError saying what is wrong."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(
            "the formula does not parse: use A, B, ..., numbers, + - * / ( )"
        ) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if len(node.id) != 1 or node.id not in string.ascii_uppercase:
                raise ValueError(f"unknown name in the formula: {node.id}")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise ValueError("only numbers may appear in a formula")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _OPS:
                raise ValueError("a formula uses + - * / only")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise ValueError("a formula uses + - * / only")
        elif not isinstance(node, ast.Load | ast.operator | ast.unaryop):
            raise ValueError("a formula uses A, B, ..., numbers, + - * / ( ) only")
    return tree


def letters(text: str) -> set[str]:
    return {node.id for node in ast.walk(check_formula(text)) if isinstance(node, ast.Name)}


def evaluate(text: str, values: dict[str, float]) -> float | None:
    """The formula's value; None where it divides by zero or names a missing series."""
    tree = check_formula(text)

    def walk(node: ast.expr) -> float | None:
        if isinstance(node, ast.Name):
            return values.get(node.id)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and right == 0:
                return None
            return _OPS[type(node.op)](left, right)
        return None  # check_formula let nothing else through

    return walk(tree)
