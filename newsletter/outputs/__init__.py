"""What the build writes from the issue records into ``_build/``; each output on its own.

- :mod:`.pages`: the web archive's pages (issues' frame is :mod:`newsletter.page`),
  lists, revision pages and their Content-Security-Policy;
- :mod:`.feed`, :mod:`.archive_json`, :mod:`.sitemap`: what machines read;
- :mod:`.search`: the Pagefind index and the search page;
- :mod:`.email`: the email edition (``sphinx-build -b email``).
"""
