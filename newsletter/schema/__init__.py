"""What an issue is, without Sphinx: the one schema that the checker and the build read.

- :mod:`.publication`: ``publication.toml`` (sections, topics, site settings);
- :mod:`.files`: where issue files are (``issues/YYYY/YYYY-MM-DD.md``) and their bytes;
- :mod:`.issuefile`, :mod:`.frontmatter`, :mod:`.problems`: one file read into typed
  metadata, MyST tokens and problems;
- :mod:`.markup`, :mod:`.allowed`: the MyST settings and the allowlist;
- :mod:`.blocks`, :mod:`.validators`: the quote, stat and question blocks (docutils
  directives) and their option checks;
- :mod:`.rules`: every rule of an issue and of the archive;
- :mod:`.dates`: every date made and written.
"""
