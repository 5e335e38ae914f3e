"""The Sphinx extension's reading: how the build reads the issues into records.

- :mod:`.safe_reading`, :mod:`.directives`: what an issue may make the build do, and
  its blocks in the build;
- :mod:`.reading`, :mod:`.records`, :mod:`.revisions`: the checker's rules as the build's
  warnings, one record per issue, its revisions from git;
- :mod:`.environment`, :mod:`.pages`: what every output asks of the build, and the
  names and addresses of the pages;
- :mod:`.write_cache`, :mod:`.sweep`, :mod:`.speedups`: builds that write only what
  changed and leave nothing stale.
"""
