"""The checker's commands, without Sphinx: ``python -m newsletter check`` (:mod:`.checker`,
and :mod:`.frozen` with ``--since``) and ``python -m newsletter new`` (:mod:`.scaffold`),
read by :mod:`.cli`."""
