"""Builds seom-desktop for the platform it runs on.

    python installer/build.py [--dist DIR] [--work DIR] [--no-installer]

1. PyInstaller (installer/seom-desktop.spec): a one-folder bundle in DIST/seom-desktop/
   (`seom-desktop[.exe]`, plus `seom-desktop-gui.exe` on Windows).
2. On Windows, when Inno Setup's compiler (ISCC.exe) is found (on PATH, in the env var
   ISCC, or in Program Files\\Inno Setup 6), installer/setup.iss is compiled into
   DIST/seom-desktop-<version>-setup.exe.

Needs the `bundle` extra: pip install -e .[bundle]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "seom-desktop.spec"
ISS = HERE / "setup.iss"
NAME = "seom-desktop"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from seom_desktop import __version__

    return __version__


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build_bundle(dist: Path, work: Path) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return dist / NAME


def find_iscc() -> Path | None:
    candidates = [os.environ.get("ISCC", ""), shutil.which("ISCC") or "", shutil.which("iscc") or ""]
    for var in ("ProgramFiles(x86)", "ProgramFiles"):
        base = os.environ.get(var)
        if base:
            candidates.append(str(Path(base) / "Inno Setup 6" / "ISCC.exe"))
    local = os.environ.get("LOCALAPPDATA")
    if local:
        candidates.append(str(Path(local) / "Programs" / "Inno Setup 6" / "ISCC.exe"))
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def build_installer(bundle: Path, dist: Path) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup's ISCC.exe not found: the bundle is built, the setup program is not "
              "(install Inno Setup 6 or set ISCC to its compiler)", flush=True)
        return None
    cmd = [str(iscc), f"/DAppVersion={version()}", f"/DBundleDir={bundle}",
           f"/DOutputDir={dist}", f"/DRepoDir={ROOT}", str(ISS)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=HERE)
    return dist / f"{NAME}-{version()}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build",
                        help="PyInstaller's work folder")
    parser.add_argument("--no-installer", action="store_true",
                        help="on Windows, stop after the bundle")
    args = parser.parse_args(argv)
    started = time.monotonic()
    bundle = build_bundle(args.dist.resolve(), args.work.resolve())
    took = time.monotonic() - started
    print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.1f} MB, built in {took:.0f} s)",
          flush=True)
    if sys.platform == "win32" and not args.no_installer:
        setup = build_installer(bundle, args.dist.resolve())
        if setup is not None:
            print(f"setup program: {setup}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
