"""Sphinx extension: show the plain-text formula of a schedule class as math too.

mxsched's docstrings write a schedule's formula as a ``::`` literal block of plain
text, e.g.::

    lr(t) = min_lr + (max_lr - min_lr) * ((1 + cos(pi * t / L)) / 2) ** p   for t <= L
            min_lr                                                         for t > L

That block stays as it is (it is what ``help()`` shows). When every line of it reads as
an equation of Python-style arithmetic -- ``name = expression`` or ``name(args) =
expression``, optionally followed, two or more spaces on, by a condition (``for t <=
L``, ``if k = 0``, ``up to x``, ``after``, ``otherwise``, a ``(comment)``), with the
lines of further cases indented under the first -- this module also renders it as LaTeX
(a ``cases`` environment for several cases) in a ``.. math::`` block right after it.
A formula with anything else (prose, ``...``, ``**kwargs``, juxtaposed factors) is left
as text only: no math rather than wrong math.

:func:`to_latex` does the conversion (``None`` when it does not apply);
:func:`first_literal_block` finds a docstring's formula. The Sphinx hook adds the math
to the docstrings of mxsched's classes, functions and methods (their first formula).
"""
from __future__ import annotations

import ast
import inspect
import re
from typing import List, Optional, Tuple

#: functions written with their LaTeX operator name
FUNCTIONS = {"cos": r"\cos", "sin": r"\sin", "tanh": r"\tanh", "exp": r"\exp",
             "ln": r"\ln", "log": r"\log", "min": r"\min", "max": r"\max"}
GREEK = {"pi": r"\pi", "alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma",
         "eta": r"\eta", "lambda_": r"\lambda"}
COMPARE = {ast.Lt: "<", ast.LtE: r"\le", ast.Gt: ">", ast.GtE: r"\ge", ast.Eq: "=",
           ast.NotEq: r"\ne"}
#: precedence of what a node prints as (higher binds tighter)
PREC_ADD, PREC_MUL, PREC_UNARY, PREC_POW, PREC_ATOM = 1, 2, 3, 4, 5
#: characters that text in \text{...} may hold as they are
TEXT_OK = re.compile(r"^[\w \t.,:;=<>+\-*/'()]*$")


class NotMath(ValueError):
    """The text is not a formula this module renders."""


def _name(identifier: str) -> str:
    if identifier in GREEK:
        return GREEK[identifier]
    match = re.fullmatch(r"([A-Za-z])_([A-Za-z0-9])", identifier)
    if match:  # s_0, L_k: a letter with a one-character subscript
        return f"{match.group(1)}_{{{match.group(2)}}}"
    if len(identifier) == 1:
        return identifier
    return r"\mathrm{" + identifier.replace("_", r"\_") + "}"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotMath(f"not a number: {value!r}")
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text:
        raise NotMath(f"number not written plainly: {text}")
    return text


def _expr(node: ast.AST) -> Tuple[str, int]:
    """(LaTeX, precedence) of an expression node."""
    if isinstance(node, ast.Name):
        return _name(node.id), PREC_ATOM
    if isinstance(node, ast.Constant):
        return _number(node.value), PREC_ATOM
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner, prec = _expr(node.operand)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + (inner if prec >= PREC_UNARY else _paren(inner)), PREC_UNARY
    if isinstance(node, ast.BinOp):
        return _binop(node)
    if isinstance(node, ast.Call):
        return _call(node), PREC_ATOM
    if isinstance(node, ast.Subscript):
        base, prec = _expr(node.value)
        if prec < PREC_ATOM:
            raise NotMath("subscript of a compound expression")
        index, _ = _expr(node.slice)
        return f"{base}[{index}]", PREC_ATOM
    raise NotMath(f"unsupported syntax: {type(node).__name__}")


def _paren(latex: str) -> str:
    """``latex`` in parentheses, sized to it when it holds a fraction or a power."""
    if any(tall in latex for tall in (r"\frac", "^", r"\sqrt", r"\left")):
        return r"\left(" + latex + r"\right)"
    return "(" + latex + ")"


def _binop(node: ast.BinOp) -> Tuple[str, int]:
    op = node.op
    if isinstance(op, ast.Div):  # a fraction needs no parentheses inside
        return r"\frac{" + _expr(node.left)[0] + "}{" + _expr(node.right)[0] + "}", PREC_ATOM
    if isinstance(op, ast.Pow):
        base, prec = _expr(node.left)
        if prec < PREC_ATOM or base.startswith(r"\frac"):
            base = _paren(base)
        return "{" + base + "}^{" + _expr(node.right)[0] + "}", PREC_POW
    if isinstance(op, (ast.Add, ast.Sub)):
        left, lprec = _expr(node.left)
        right, rprec = _expr(node.right)
        # a - (b + c) keeps its parentheses; a + (b - c) may drop them
        if rprec < PREC_MUL and (isinstance(op, ast.Sub) or rprec < PREC_ADD):
            right = _paren(right)
        sign = " + " if isinstance(op, ast.Add) else " - "
        return left + sign + right, PREC_ADD
    if isinstance(op, ast.Mult):
        left, lprec = _expr(node.left)
        right, rprec = _expr(node.right)
        if lprec < PREC_MUL:
            left = _paren(left)
        if rprec <= PREC_MUL and rprec != PREC_ATOM:
            right = _paren(right)
        return left + r" \cdot " + right, PREC_MUL
    raise NotMath(f"unsupported operator: {type(op).__name__}")


def _call(node: ast.Call) -> str:
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise NotMath("keyword or starred arguments")
    if not isinstance(node.func, ast.Name):
        raise NotMath("call of a compound expression")
    name = node.func.id
    args = [_expr(a)[0] for a in node.args]
    if not args:
        raise NotMath("call without arguments")
    if name == "sqrt" and len(args) == 1:
        return r"\sqrt{" + args[0] + "}"
    if name == "floor" and len(args) == 1:
        return r"\left\lfloor " + args[0] + r" \right\rfloor"
    if name == "ceil" and len(args) == 1:
        return r"\left\lceil " + args[0] + r" \right\rceil"
    if name in FUNCTIONS:
        return FUNCTIONS[name] + _paren(", ".join(args))
    if len(name) > 1 and name not in GREEK and not re.fullmatch(r"[A-Za-z]_[A-Za-z0-9]", name):
        # a named function: upright, spaced as an operator
        return r"\operatorname{" + name.replace("_", r"\_") + "}" + _paren(", ".join(args))
    return _name(name) + _paren(", ".join(args))


def expression(text: str) -> str:
    """LaTeX of one Python-style arithmetic expression (``NotMath`` if it is not one)."""
    text = text.strip()
    if not text:
        raise NotMath("empty expression")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise NotMath(f"not an expression: {text!r}") from exc
    return _expr(tree.body)[0]


def _comparison(text: str) -> str:
    """LaTeX of a condition such as ``0 <= t <= up`` or ``k = 0``."""
    text = text.strip()
    if re.search(r"(?<![<>=!])=(?!=)", text):  # one '=' is an equality in the formulas
        text = re.sub(r"(?<![<>=!])=(?!=)", "==", text)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise NotMath(f"not a condition: {text!r}") from exc
    if not isinstance(tree, ast.Compare):
        raise NotMath(f"not a comparison: {text!r}")
    parts = [_expr(tree.left)[0]]
    for op, right in zip(tree.ops, tree.comparators):
        if type(op) not in COMPARE:
            raise NotMath(f"unsupported comparison in {text!r}")
        parts += [COMPARE[type(op)], _expr(right)[0]]
    return " ".join(parts)


def _text(text: str) -> str:
    if not TEXT_OK.match(text):
        raise NotMath(f"text with special characters: {text!r}")
    return r"\text{" + text + "}"


def condition(text: str) -> str:
    """LaTeX of what follows an expression: ``for ...``, ``if ...``, ``up to ...``, ..."""
    text = text.strip()
    if not text:
        return ""
    if re.fullmatch(r"\([^()]*\)", text):
        return _text(text)
    for word in ("for", "if"):
        if text.startswith(word + " "):
            return _text(word + " ") + _comparison(text[len(word) + 1:])
    if text.startswith("up to "):
        return _text("up to ") + expression(text[len("up to "):])
    if text in ("after", "otherwise", "else"):
        return _text(text)
    raise NotMath(f"unknown condition: {text!r}")


def _case(text: str) -> Tuple[str, str]:
    """(expression, condition) of one case: they are two or more spaces apart."""
    pieces = re.split(r"\s{2,}", text.strip(), maxsplit=1)
    latex = expression(pieces[0])
    return latex, condition(pieces[1]) if len(pieces) > 1 else ""


EQUATION = re.compile(r"^(?P<lhs>[A-Za-z_][\w]*(?:\([\w, ]*\))?)\s+=\s+(?P<rhs>.*)$")


def to_latex(block: str) -> Optional[List[str]]:
    """The LaTeX equations (one string each) of a formula block, or None.

    None unless every line of ``block`` is an equation or a further case of the one
    above (indented under it).
    """
    lines = [line.rstrip() for line in block.splitlines() if line.strip()]
    if not lines:
        return None
    equations: List[Tuple[str, List[Tuple[str, str]]]] = []
    try:
        for line in lines:
            match = EQUATION.match(line)
            if match and not line[0].isspace():
                equations.append((expression(match.group("lhs")),
                                  [_case(match.group("rhs"))]))
            elif line[0].isspace() and equations:
                equations[-1][1].append(_case(line))
            else:
                return None
    except NotMath:
        return None
    out = []
    for lhs, cases in equations:
        if len(cases) == 1:
            latex, cond = cases[0]
            out.append(f"{lhs} = {latex}" + (r" \quad " + cond if cond else ""))
        else:
            rows = r" \\ ".join(f"{latex} & {cond}" for latex, cond in cases)
            out.append(f"{lhs} = " + r"\begin{cases} " + rows + r" \end{cases}")
    return out


def first_literal_block(doc: Optional[str]) -> Optional[str]:
    """The text of the first ``::`` literal block of a docstring (dedented), or None."""
    lines = inspect.cleandoc(doc or "").splitlines()
    span = _first_literal_span(lines)
    if span is None:
        return None
    start, end, indent = span
    return "\n".join(line[indent:] for line in lines[start:end]).strip("\n")


def _first_literal_span(lines: List[str]) -> Optional[Tuple[int, int, int]]:
    """(first line, end line, indent) of the first literal block in ``lines``."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.endswith("::") or stripped.startswith(".."):
            continue
        base = len(line) - len(line.lstrip())
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j == len(lines):
            return None
        indent = len(lines[j]) - len(lines[j].lstrip())
        if indent <= base:
            continue
        end = j
        while end < len(lines) and (not lines[end].strip()
                                    or len(lines[end]) - len(lines[end].lstrip()) >= indent):
            end += 1
        while end > j and not lines[end - 1].strip():
            end -= 1
        return j, end, indent
    return None


def math_directive(equations: List[str], indent: str = "") -> List[str]:
    """reST lines of a ``.. math::`` directive holding ``equations``.

    Several equations are aligned at their ``=`` (an ``aligned`` environment of our own:
    Sphinx would right-align them).
    """
    if len(equations) == 1:
        return [indent + ".. math::", "", indent + "   " + equations[0]]
    rows = [equation.replace(" = ", " &= ", 1) for equation in equations]
    lines = [indent + ".. math::", indent + "   :nowrap:", "", indent + r"   \[\begin{aligned}"]
    lines += [indent + "   " + row + (r" \\" if n < len(rows) - 1 else "")
              for n, row in enumerate(rows)]
    return lines + [indent + r"   \end{aligned}\]"]


def add_math(app, what, name, obj, options, lines: List[str]) -> None:
    """autodoc-process-docstring: math after the formula of an mxsched class or function."""
    if what not in ("class", "function", "method") or not _is_mxsched(obj):
        return
    span = _first_literal_span(lines)
    if span is None:
        return
    start, end, indent = span
    equations = to_latex("\n".join(line[indent:] for line in lines[start:end]))
    if equations:
        directive = math_directive(equations, indent=_block_indent(lines, start))
        lines[end:end] = [""] + directive + [""]


def _block_indent(lines: List[str], start: int) -> str:
    """Indentation of the paragraph that introduces the literal block at ``start``."""
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    line = lines[i] if i >= 0 else ""
    return line[:len(line) - len(line.lstrip())]


def _is_mxsched(obj: object) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] == "mxsched"


def setup(app) -> dict:
    # before numpydoc (priority 500) rewrites the docstring into reST
    app.connect("autodoc-process-docstring", add_math, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
