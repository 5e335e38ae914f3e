"""The archive's search: a static Pagefind index of the published issues' own text.

- :mod:`.events`: the build's part (what is indexed, the search page, one run per build);
- :mod:`.pagefind`: running Pagefind, in the background and tied to the build;
- :mod:`.parts`: the index in parts, one bundle per year, so that an edit re-indexes one;
- :mod:`.bundle`: its output made reproducible and pruned to what the page loads;
- :mod:`.cbor`: the codec of Pagefind's index files.

The names below need no Sphinx (the benchmarks and tests index a site with them).
"""

from newsletter.outputs.search.bundle import SIGNATURE, BundleFormatError, SearchIndexError
from newsletter.outputs.search.cbor import cbor_decode, cbor_encode
from newsletter.outputs.search.pagefind import launch
from newsletter.outputs.search.parts import index_site, part_of, split

__all__ = [
    "SIGNATURE",
    "BundleFormatError",
    "SearchIndexError",
    "cbor_decode",
    "cbor_encode",
    "index_site",
    "launch",
    "part_of",
    "split",
]
