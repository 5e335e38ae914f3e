"""What git says, without Sphinx: git run from one place (:mod:`.git`), the commit a
build is made from (:mod:`.checkout`), and every published revision of an issue
(:mod:`.revisions`)."""
