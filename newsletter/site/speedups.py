"""What makes a build cheaper without changing a byte of its output.

Two fixed costs of every ``sphinx-build`` that do not depend on what changed:

- **Compiling the templates.** Sphinx gives its Jinja environment no bytecode
  cache, so every build compiles the theme's templates from their source again:
  on an incremental build that changed one issue this is a tenth of the time.
  Jinja's own file cache keeps the compiled code in the doctree directory under
  a key of the template's name and path, and uses it only while the template's
  source is unchanged (it compares a checksum of the source), so a changed
  template is always compiled afresh. Parallel writers may share it: Jinja
  writes each entry to a temporary file and renames it into place. Within the
  build, a template once loaded is not looked at on disk again (Jinja's
  ``auto_reload`` off): Sphinx asks for templates some sixty times a page, and
  Jinja stat()ed the file each time to see whether it had changed meanwhile.
- **The collection at exit.** When the interpreter exits it runs the cyclic
  garbage collector over everything the build left in memory (the environment
  of every issue, the parsed templates): about a second on a ten-year archive,
  spent freeing memory the operating system takes back anyway. At exit, and only
  then, those objects are moved out of the collector's reach (``gc.freeze``).
  A program that runs builds in-process and goes on is not affected.
"""

from __future__ import annotations

import atexit
import gc
from pathlib import Path

import jinja2
from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

#: one folder per Jinja version: its compiled code calls Jinja's runtime
FOLDER = f"newsletter-templates-{jinja2.__version__}"


def keep_compiled_templates(app: Sphinx) -> None:
    """``builder-inited``: give the builder's template environment a bytecode cache, and
    no second look at a template's file during the build."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    environment.auto_reload = False
    folder = Path(app.doctreedir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def _freeze_at_exit() -> None:
    gc.freeze()


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", keep_compiled_templates)
    atexit.unregister(_freeze_at_exit)  # once per process, however many builds it runs
    atexit.register(_freeze_at_exit)
