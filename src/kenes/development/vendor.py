"""Copy the chart libraries from node_modules into the app's static files (``./dev`` runs this after
``npm ci``; package.json and package-lock.json pin the versions). Run: ``python -m kenes.development.vendor``.

vega, vega-lite and vega-embed ship browser builds as they are. vega-interpreter (the expression
evaluator that needs no ``eval``, so the strict CSP stays as it is) ships only as an ES module that
imports ``vega-util``; it is wrapped into a plain script reading those functions from ``window.vega``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TARGET = Path(__file__).resolve().parent / "static" / "development" / "vendor"
FILES = {
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
}
INTERPRETER = "vega-interpreter/build/vega-interpreter.js"


def wrap_interpreter(source: str) -> str:
    imported = re.match(r"import \{([^}]*)\} from 'vega-util';\n", source)
    exported = re.search(r"\nexport \{ (\w+) as expressionInterpreter \};\s*(//# sourceMappingURL=\S+\s*)?$", source)
    if not imported or not exported:
        raise SystemExit("vega-interpreter's module layout changed: update kenes/development/vendor.py")
    body = source[imported.end() : exported.start()]
    names = imported.group(1).strip()
    return (
        "/* vega-interpreter, wrapped by kenes/development/vendor.py */\n(function () {\n"
        f"const {{ {names} }} = window.vega;\n{body}\n"
        f"window.vegaInterpreter = {{ expressionInterpreter: {exported.group(1)} }};\n}})();\n"
    )


def main(node_modules: Path = ROOT / "node_modules") -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        path = node_modules / source
        if not path.is_file():
            print(f"missing {path}: run npm ci in {ROOT}", file=sys.stderr)
            return 1
        (TARGET / name).write_bytes(path.read_bytes())
    interpreter = (node_modules / INTERPRETER).read_text(encoding="utf-8")
    (TARGET / "vega-interpreter.js").write_text(wrap_interpreter(interpreter), encoding="utf-8")
    axe = node_modules / "axe-core" / "axe.min.js"
    if axe.is_file():  # a development dependency: the browser tests' accessibility check
        (TARGET / "axe.min.js").write_bytes(axe.read_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
