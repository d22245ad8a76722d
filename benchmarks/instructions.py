"""CPU instructions per statement: ``tonekit score`` against spaCy's bare tokenizer.

    python benchmarks/instructions.py [--rows 2000] [--shared ../shared/benchmarks]

Timings on a shared machine vary by 10-20% from one run to the next, more than most
changes to the scorer are worth. Instructions do not: valgrind's callgrind counts the
instructions of the same work exactly, whatever else the machine is doing, so this
script tells whether a change made the work smaller. (It does not see caches or memory
stalls: confirm a speed-up with ``benchmarks/batch.py``.)

Each measurement runs in a fresh process under ``valgrind --tool=callgrind`` with
counting switched off; the process prepares its data and pipeline and warms the
tokenizer cache, then counting is switched on (``callgrind_control -i on``) for the
measured work only:

- ``tokenizer``: ``for doc in nlp.tokenizer.pipe(texts): pass``
- ``tonekit score``: the command's engine, file to file (as in ``benchmarks/batch.py``)

Needs valgrind (Debian: ``apt install valgrind``); about a minute per measurement.

``--compiled`` also counts the engine with the scoring and pipeline modules compiled,
unchanged, by Cython (``pip install cython``; the package is copied to a temporary
folder and compiled there): what a compiled build of the same source would gain.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKS = {"tokenizer": "spaCy tokenizer.pipe", "engine": "tonekit score (file to file)"}


def worker(work: str, rows: int, shared: Path, flags: Path) -> None:
    """Prepare, signal ``ready``, wait for ``go``, do the work, signal ``done``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from batch import realistic_corpus, run_engine

    from tonekit.corpus import write_corpus
    from tonekit.pipeline import pipeline_for

    df, _ = realistic_corpus(rows, shared)
    texts = df["text"].tolist()
    src, dst = flags / "statements.jsonl", flags / "scores.jsonl"
    write_corpus(df, src)
    tokenizer = pipeline_for(None).tokenizer
    run_engine(src, dst, 1)  # warm-up: imports, pipeline and tokenizer cache
    for _ in tokenizer.pipe(texts):
        pass
    (flags / "ready").touch()
    while not (flags / "go").exists():
        time.sleep(0.05)
    if work == "tokenizer":
        for _ in tokenizer.pipe(texts):
            pass
    else:
        run_engine(src, dst, 1)
    (flags / "done").touch()
    while not (flags / "stop").exists():
        time.sleep(0.05)


def count(work: str, rows: int, shared: Path, package: Path | None = None) -> int:
    """Instructions of ``work`` over ``rows`` statements, counted by callgrind
    (with ``tonekit`` imported from the folder ``package`` when given)."""
    with tempfile.TemporaryDirectory() as tmp:
        flags = Path(tmp)
        out = flags / "callgrind.out"
        cmd = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--worker", work, "--rows", str(rows), "--shared", str(shared),
            "--flags", str(flags),
        ]
        env = os.environ.copy()
        if package is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)

        def wait_for(name: str) -> None:
            while not (flags / name).exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"the {work} measurement failed:\n{proc.stderr.read()[-2000:]}")
                time.sleep(0.2)

        wait_for("ready")
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        (flags / "go").touch()
        wait_for("done")
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, capture_output=True)
        (flags / "stop").touch()
        proc.wait()
        for line in out.read_text().splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"callgrind wrote no totals for {work}")


COMPILED_MODULES = ("scoring.py", "pipeline.py")


def compiled_copy(folder: Path) -> Path:
    """A copy of the package in ``folder`` with :data:`COMPILED_MODULES` compiled by Cython."""
    import tonekit

    # The layout of a source checkout, where the bundled corpora are found beside src/.
    package = folder / "src" / "tonekit"
    shutil.copytree(Path(tonekit.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    (folder / "corpora").symlink_to(ROOT / "corpora")
    subprocess.run(
        [sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-3", "-q", *COMPILED_MODULES],
        cwd=package, check=True, capture_output=True,
    )
    return package.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("TONEKIT_SHARED", ROOT.parent / "shared" / "benchmarks")))
    parser.add_argument("--compiled", action="store_true", help="also count a Cython build of the same source")
    parser.add_argument("--worker", choices=WORKS, help=argparse.SUPPRESS)
    parser.add_argument("--flags", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.rows, args.shared, args.flags)
        return
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"instructions.py needs {' and '.join(missing)} (Debian: apt install valgrind)")
    counts = {work: count(work, args.rows, args.shared) for work in WORKS}
    if args.compiled:
        with tempfile.TemporaryDirectory() as tmp:
            counts["compiled"] = count("engine", args.rows, args.shared, compiled_copy(Path(tmp)))
    labels = {**WORKS, "compiled": f"the same, {' and '.join(COMPILED_MODULES)} compiled"}
    print(f"instructions per statement, {args.rows:,} realistic statements (benchmarks/batch.py's)")
    print(f"   {'':<46}{'per statement':>14}{'tokenizer / it':>16}")
    for work, n in counts.items():
        print(f"   {labels[work]:<46}{n / args.rows:>14,.0f}{counts['tokenizer'] / n:>16.3f}")


if __name__ == "__main__":
    main()
