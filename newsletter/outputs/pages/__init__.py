"""The web archive's pages: the home page and the lists (:mod:`.archive`), every earlier
text of a corrected issue (:mod:`.revision_pages`), and every page's
Content-Security-Policy (:mod:`.csp`)."""
