"""Copy the front-end libraries that npm installed into opsloop/static/vendor/.

Pages load them from there (whitenoise serves them), never from a CDN: an install must
work with no network at run time. package.json pins the versions; this list says which
built file of each package a page needs and the stable name templates use for it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "opsloop" / "static" / "vendor"

# node package -> [(file inside the package, name under static/vendor/)]
FILES: dict[str, list[tuple[str, str]]] = {
    "htmx.org": [("dist/htmx.min.js", "htmx.min.js")],
    # Alpine's CSP build: it parses x- expressions itself instead of compiling them with
    # new Function, which the Content-Security-Policy (no 'unsafe-eval') would refuse.
    # Components are registered with Alpine.data in opsloop/static/opsloop/*.js.
    "@alpinejs/csp": [("dist/cdn.min.js", "alpine.min.js")],
    "sortablejs": [("Sortable.min.js", "Sortable.min.js")],
    "echarts": [("dist/echarts.min.js", "echarts.min.js")],
    "gridstack": [
        ("dist/gridstack-all.js", "gridstack-all.js"),
        ("dist/gridstack.min.css", "gridstack.min.css"),
    ],
}
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt")
STAMP = VENDOR / ".installed"


def main() -> int:
    missing = [name for name in FILES if not (NODE_MODULES / name / "package.json").exists()]
    if missing:
        print(f"vendor: {', '.join(missing)} not in node_modules; run `npm ci` first.")
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    versions: dict[str, str] = {}
    for package, files in FILES.items():
        package_dir = NODE_MODULES / package
        versions[package] = json.loads((package_dir / "package.json").read_text())["version"]
        for source, target in files:
            shutil.copyfile(package_dir / source, VENDOR / target)
        # Licences travel with the code we redistribute.
        for name in LICENSE_NAMES:
            if (package_dir / name).exists():
                # A scoped name (@scope/name) must not become a folder.
                flat = package.lstrip("@").replace("/", "-")
                shutil.copyfile(package_dir / name, VENDOR / f"{flat}.{name}")
                break
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    STAMP.touch()
    print("vendor: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
